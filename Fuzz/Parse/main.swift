// libFuzzer entry point for the feed parser (issue 7, optional). Not part of
// the SwiftPM graph: it is compiled together with the parser's sources so it
// can reach internal types; see Fuzz/Parse/run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func feedwatchParseFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Any outcome is fine except a crash, a hang or a sanitizer report.
    if let feed = try? FeedParser.parse(bytes, contentType: nil, baseURL: "http://fuzz.example/feed") {
        _ = feed.jsonObject(file: "fuzz")
    }
    return 0
}
