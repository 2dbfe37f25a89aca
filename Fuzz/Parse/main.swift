// libFuzzer entry point for the feed parser (issue 7, optional). Not part of
// the SwiftPM graph: it is compiled together with the parser's sources so it
// can reach internal types; see Fuzz/Parse/run.sh.

import FeedwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func feedwatchParseFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Any outcome is fine except a crash, a hang or a sanitizer report.
    if let feed = try? FeedParser.parse(bytes, contentType: nil, baseURL: "http://fuzz.example/feed") {
        _ = feed.jsonObject(file: "fuzz")
        // What the daemon does next with every item: its HTML to plain text
        // (FeedwatchCore's HTMLText, hand-written byte scanning).
        for item in feed.items {
            _ = HTMLText.plainText(item.content ?? "")
            _ = HTMLText.plainText(item.summary ?? "")
        }
    }
    // The raw input as HTML too: markup a feed parser would have rejected.
    _ = HTMLText.plainText(String(decoding: bytes, as: UTF8.self))
    return 0
}
