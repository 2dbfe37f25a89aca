import Foundation

/// Relative reference resolution (RFC 3986 §5.2) for links, enclosure URLs and
/// `xml:base` (XML Base, W3C Recommendation 2009, §4.2).
enum Links {
    static func hasScheme(_ s: String) -> Bool {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"   (RFC 3986 §3.1)
        var first = true
        for c in s.utf8 {
            if c == 0x3A { return !first }
            let alpha = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A)
            if first {
                guard alpha else { return false }
                first = false
            } else if !(alpha || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E) {
                return false
            }
        }
        return false
    }

    static func resolve(_ ref: String, against base: String?) -> String {
        if hasScheme(ref) { return ref }
        guard let base, !base.isEmpty, let b = URL(string: base) else { return ref }
        if ref.isEmpty { return base }
        guard let u = URL(string: ref, relativeTo: b) else { return ref }
        return u.absoluteString
    }
}

extension String {
    /// Trimmed of XML whitespace (XML 1.0 §2.3 S), nil when nothing is left.
    var trimmedOrNil: String? {
        let u = self.utf8
        var start = u.startIndex
        var end = u.endIndex
        func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        while start < end && ws(u[start]) { start = u.index(after: start) }
        while end > start && ws(u[u.index(before: end)]) { end = u.index(before: end) }
        if start == end { return nil }
        if start == u.startIndex && end == u.endIndex { return self }
        return String(self[start..<end])
    }
}
