import FeedwatchCore

/// Deterministic short identifiers for stories and alerts.
///
/// `hex(parts…)` is the first 64 bits of SHA-256 over the parts, each
/// preceded by its UTF-8 length (so `("ab","c")` and `("a","bc")` differ), as
/// 16 lower-case hex digits. Why SHA-256 and not FNV-1a or SipHash with a
/// fixed key: the inputs (GUIDs, links, titles) come from feeds an attacker
/// may control, and the ids name files in the alert spool and rows in the
/// store. FNV-1a and a public-key SipHash are not second-preimage resistant,
/// so a hostile feed could craft an item whose id equals another story's and
/// suppress its alert; truncated SHA-256 needs ~2^64 work for that. The
/// accidental-collision risk of 64 bits is ~n²/2^65 (≈3·10⁻⁸ at a million
/// stories). Stable across runs, platforms and Swift versions (unlike
/// `Hasher`, which is seeded per process).
public enum StableID {
    public static func hex(_ parts: String...) -> String { hex(parts: parts) }

    public static func hex(parts: [String]) -> String {
        var message: [UInt8] = []
        for part in parts {
            let utf8 = Array(part.utf8)
            var n = UInt64(utf8.count)
            for _ in 0..<8 { message.append(UInt8(truncatingIfNeeded: n)); n >>= 8 }
            message += utf8
        }
        let digest = SHA256.hash(message)
        return hexString(digest.prefix(8))
    }

    static func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
