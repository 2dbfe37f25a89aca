import Foundation

/// bytes (+ HTTP Content-Type, + the URL they came from) → `ParsedFeed`.
/// A pure function: no I/O, no logging (DESIGN.md rules 2 and 10).
public enum FeedParser {
    /// Largest document accepted after gzip decompression.
    public static let maxDecompressedBytes = 256 << 20

    /// Longest start tag accepted (`<name … >`), see `longestStartTag`.
    static let maxStartTagBytes = 64 << 10

    /// Length of the longest `<letter … >` span, or nil if there is none
    /// longer than the limit's scan needs. Comments, CDATA and processing
    /// instructions (`<!`, `<?`) are not start tags and are not measured.
    static func longestStartTag(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress else { return 0 }
            // memchr to each "<" and its ">": a byte loop here was 2% of a cold pass.
            let n = b.count
            func find(_ byte: UInt8, from i: Int) -> Int {
                guard i < n, let p = memchr(base + i, Int32(byte), n - i) else { return n }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            var longest = 0
            var i = find(0x3C, from: 0)
            while i < n {
                if i + 1 < n, (b[i + 1] | 0x20) >= 0x61, (b[i + 1] | 0x20) <= 0x7A {
                    let j = find(0x3E, from: i + 1)
                    longest = max(longest, j - i)
                    i = find(0x3C, from: j)
                } else {
                    i = find(0x3C, from: i + 1)
                }
            }
            return longest
        }
    }

    public static func parse(_ bytes: [UInt8], contentType: String? = nil, baseURL: String? = nil) throws(ParseError) -> ParsedFeed {
        var input = bytes
        // gzip magic (RFC 1952 §2.3.1): files saved compressed, or a server that gzipped twice.
        if input.count >= 2 && input[0] == 0x1F && input[1] == 0x8B {
            guard let z = InflateHandle() else { throw .malformed("could not start gzip decompression") }
            switch z.inflateAll(input, limit: maxDecompressedBytes) {
            case .success(let out): input = out
            case .failure(.tooLarge): throw .tooLarge("more than \(maxDecompressedBytes) bytes after gzip decompression")
            case .failure(.corrupt(let why)): throw .malformed("corrupt gzip data (\(why))")
            }
        }
        guard let firstByte = firstSignificantByte(input) else { throw .empty }
        if firstByte == 0x7B || firstByte == 0x5B {  // '{' or '[': JSON Feed
            return try parseJSON(input, baseURL: baseURL)
        }

        let decoded = CharsetDetector.decode(input, httpCharset: charset(of: contentType))
        guard firstSignificantByte(decoded.utf8) != nil else { throw .empty }
        let repaired = MarkupRepair.repair(decoded.utf8)
        // libxml2 2.9 spends quadratic time on one start tag with very many
        // attributes (100,000 take ~1 min): no real feed has a tag this long.
        if let longest = longestStartTag(repaired.bytes), longest > maxStartTagBytes {
            throw .tooLarge("a start tag of \(longest) bytes (at most \(maxStartTagBytes) accepted)")
        }
        let sink = DocumentSink(documentBase: baseURL)
        var limits = XMLLimits()
        limits.entityBudget = max(1 << 20, repaired.bytes.count)
        let outcome = XMLStreamParser.parse(repaired.bytes, sink: sink, limits: limits)

        var feed: ParsedFeed
        switch sink.builder {
        case .rss(let b): feed = FeedAdapter.adapt(b.finish())
        case .atom(let b): feed = FeedAdapter.adapt(b.finish())
        case nil:
            if let root = sink.rootName { throw .notAFeed("root element <\(root)> is not RSS, RDF or Atom") }
            throw .malformed(outcome.firstError.map { "no XML element found (\($0))" } ?? "no XML element found")
        }
        feed.bozo = decoded.bozo || repaired.changed || !outcome.wellFormed || outcome.limitHit != nil
        return feed
    }

    /// Convenience for callers holding `Data`.
    public static func parse(_ data: Data, contentType: String? = nil, baseURL: String? = nil) throws(ParseError) -> ParsedFeed {
        try parse([UInt8](data), contentType: contentType, baseURL: baseURL)
    }

    private static func parseJSON(_ input: [UInt8], baseURL: String?) throws(ParseError) -> ParsedFeed {
        var body = input[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        switch JSONFeedWire.decode(body) {
        case .success(let wire): return FeedAdapter.adapt(wire, baseURL: baseURL)
        case .failure(let error): throw error
        }
    }

    /// The `charset` parameter of a Content-Type value (RFC 9110 §8.3.1).
    static func charset(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        for part in contentType.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let v = kv[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return v.isEmpty ? nil : v
        }
        return nil
    }

    /// First byte that is not whitespace, a BOM byte or NUL (UTF-16 padding).
    private static func firstSignificantByte(_ b: [UInt8]) -> UInt8? {
        for c in b.prefix(1 << 20) {
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D, 0x00, 0xEF, 0xBB, 0xBF, 0xFE, 0xFF: continue
            default: return c
            }
        }
        return b.count > 1 << 20 ? 0x3C : nil
    }
}
