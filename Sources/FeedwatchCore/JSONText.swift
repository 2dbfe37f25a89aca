import Foundation

/// Minimal JSON text helpers for the one-line outputs of CONTRACT.md, where key
/// order and `null`s are part of what users read.
public enum JSONText {
    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and every
    /// control character escaped, so no raw ESC ever reaches a terminal.
    public static func quote(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return out
    }

    /// `quote(s)` appended to `out` (no intermediate strings: for JSON built
    /// on a hot path, such as the stored matches of every article).
    public static func appendQuoted(_ s: String, to out: inout String) {
        // Fast path (nearly every title, term and URL): no byte that may need
        // escaping — ASCII controls, `"`, `\`, DEL, the lead byte of C1
        // controls (0xC2) or of U+2028/U+2029 (0xE2).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) {
            out.append("\"")
            out.append(s)
            out.append("\"")
            return
        }
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    /// A JSON number for a finite Double: integral values keep a ".0" (they
    /// are weights and scores, not counts); non-finite values, which JSON
    /// cannot carry, become 0.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "0" }
        if d == d.rounded(), abs(d) < 1e15 { return "\(Int(d)).0" }
        return "\(d)"
    }

    /// A JSON array of strings.
    public static func array(_ strings: [String]) -> String {
        var out = "["
        out.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            out += quote(s)
        }
        return out + "]"
    }
}
