import Foundation
import FeedwatchCore

extension ParsedFeed {
    /// The one-line JSON object of CONTRACT.md ("feedwatch parse --json output"),
    /// keys in the contract's order, dates as RFC 3339 UTC.
    public func jsonObject(file: String) -> String {
        String(decoding: jsonBytes(file: file), as: UTF8.self)
    }

    /// `jsonObject(file:)` as UTF-8 bytes, without the final String round trip.
    public func jsonBytes(file: String) -> [UInt8] {
        var o = JSONLine()
        o.open()
        o.key("file"); o.string(file)
        o.key("format"); o.string(format.rawValue)
        o.key("bozo"); o.raw(bozo ? "true" : "false")
        o.key("title"); o.string(title)
        o.key("link"); o.string(link)
        o.key("description"); o.string(description)
        o.key("language"); o.string(language)
        o.key("updated"); o.date(updated)
        o.key("items"); o.raw("[")
        for (n, item) in items.enumerated() {
            if n > 0 { o.raw(",") }
            o.open()
            o.key("id"); o.string(item.id)
            o.key("title"); o.string(item.title)
            o.key("link"); o.string(item.link)
            o.key("summary"); o.string(item.summary)
            o.key("content"); o.string(item.content)
            o.key("published"); o.date(item.published)
            o.key("updated"); o.date(item.updated)
            o.key("authors"); o.strings(item.authors)
            o.key("categories"); o.strings(item.categories)
            o.key("enclosures"); o.raw("[")
            for (k, e) in item.enclosures.enumerated() {
                if k > 0 { o.raw(",") }
                o.open()
                o.key("url"); o.string(e.url)
                o.key("type"); o.string(e.type)
                o.key("length"); o.raw(e.length.map(String.init) ?? "null")
                o.close()
            }
            o.raw("]")
            o.close()
        }
        o.raw("]")
        o.close()
        return o.bytes
    }

    /// `{"file": …, "error": …}` for a document that is not a feed.
    public static func jsonError(file: String, error: ParseError) -> String {
        var o = JSONLine()
        o.open()
        o.key("file"); o.string(file)
        o.key("error"); o.string(error.description)
        o.close()
        return o.text
    }
}

/// Minimal JSON writer (RFC 8259): strings escaped per §7, output stays one
/// line. Works on UTF-8 bytes: feed content is large and quote-heavy, and
/// per-character String appends were the slowest part of `parse --json`.
struct JSONLine {
    private(set) var bytes: [UInt8] = []
    private var needComma = false

    init() { bytes.reserveCapacity(4096) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func open() { bytes.append(0x7B); needComma = false }
    mutating func close() { bytes.append(0x7D); needComma = true }
    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8); needComma = true }
    /// Keys are the contract's fixed ASCII names: copied, not escaped.
    mutating func key(_ k: StaticString) {
        if needComma, let last = bytes.last, last != 0x7B && last != 0x5B { bytes.append(0x2C) }
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(contentsOf: [0x22, 0x3A])
        needComma = false
    }

    /// RFC 3339 UTC (`2018-04-10T07:00:00Z`) or null, written as bytes.
    mutating func date(_ d: Date?) {
        defer { needComma = true }
        guard let d else { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]); return }
        bytes.append(0x22)
        RFC3339.append(d, to: &bytes)
        bytes.append(0x22)
    }
    mutating func strings(_ a: [String]) {
        bytes.append(0x5B)
        for (i, s) in a.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            string(s)
        }
        bytes.append(0x5D)
        needComma = true
    }
    mutating func string(_ s: String?) {
        defer { needComma = true }
        guard var s else { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]); return }
        bytes.append(0x22)
        s.withUTF8 { u in
            var runStart = 0
            var i = 0
            let n = u.count
            let base = u.baseAddress!
            while i < n {
                // Skip eight bytes at a time while none needs escaping (< 0x20, '"', '\\').
                while i + 8 <= n {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                    let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
                    let found = ((w &- ones &* 0x20) & ~w & highs) | ((q &- ones) & ~q & highs) | ((b &- ones) & ~b & highs)
                    if found != 0 { break }
                    i += 8
                }
                guard i < n else { break }
                let c = u[i]
                i += 1
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if runStart < i - 1 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<(i - 1)])) }
                runStart = i
                switch c {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                default:
                    func hex(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex(c >> 4), hex(c & 0xF)])
                }
            }
            if runStart < u.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart...])) }
        }
        bytes.append(0x22)
    }
}
