/// Finds out what encoding a feed's bytes are in and turns them into UTF-8.
///
/// Order of evidence (RFC 7303 §3 and the XML 1.0 Appendix F autodetection):
/// a byte order mark, then the HTTP `charset` parameter, then the XML
/// declaration; with none of these, UTF-8 (XML's default), then windows-1252
/// (what undeclared non-UTF-8 feeds nearly always are). Each candidate must
/// decode the whole document without error; the first one that does wins.
/// Falling back past the first candidate means the document lied about its
/// encoding, which is reported (`bozo`). If nothing decodes cleanly, the first
/// candidate is used with invalid bytes replaced by U+FFFD.
enum CharsetDetector {
    struct Decoded {
        var utf8: [UInt8]
        /// The document did not decode as it claimed (or had invalid bytes).
        var bozo: Bool
        var encoding: String
    }

    static func decode(_ input: [UInt8], httpCharset: String?) -> Decoded {
        var body = input[...]
        var candidates: [String] = []

        // 1. Byte order mark (XML 1.0 Appendix F.1).
        let bom = sniffBOM(body)
        if let bom {
            body = body.dropFirst(bom.length)
            candidates.append(bom.encoding)
        } else if body.count >= 4 {
            // UTF-16 without BOM: "<?" as 16-bit units.
            let b = Array(body.prefix(4))
            if b == [0x3C, 0x00, 0x3F, 0x00] { candidates.append("UTF-16LE") }
            else if b == [0x00, 0x3C, 0x00, 0x3F] { candidates.append("UTF-16BE") }
        }
        // 2. HTTP charset.
        if let http = httpCharset.flatMap(normalize), !http.isEmpty { candidates.append(http) }
        // 3. XML declaration (only meaningful for ASCII-compatible bytes).
        if bom == nil || bom?.encoding == "UTF-8", let declared = declaredEncoding(body).flatMap(normalize) {
            // A UTF-16 declaration in 8-bit bytes is wrong on its face (no BOM): ignore it.
            if !declared.hasPrefix("UTF-16") && !declared.hasPrefix("UTF-32") && !declared.hasPrefix("UCS") {
                candidates.append(declared)
            }
        }
        candidates.append("UTF-8")
        candidates.append("WINDOWS-1252")

        var seen = Set<String>()
        var firstUsable: String?
        for (index, name) in candidates.enumerated() {
            for actual in supersets(of: name) where seen.insert(actual).inserted {
                if actual == "UTF-8" {
                    if firstUsable == nil { firstUsable = actual }
                    if UTF8Check.isValid(body) {
                        // No BOM: hand back the caller's array itself (no copy).
                        let bytes = body.count == input.count ? input : Array(body)
                        return Decoded(utf8: bytes, bozo: index > 0, encoding: actual)
                    }
                    continue
                }
                guard let attempt = IconvPool.shared.with(actual, { $0.convert(body, strict: true) }) else { continue }
                if firstUsable == nil { firstUsable = actual }
                if let out = attempt {
                    return Decoded(utf8: out.bytes, bozo: index > 0, encoding: actual)
                }
            }
        }
        // Nothing decoded cleanly: the first usable candidate, invalid bytes replaced.
        let name = firstUsable ?? "UTF-8"
        if name != "UTF-8", let attempt = IconvPool.shared.with(name, { $0.convert(body, strict: false) }), let out = attempt {
            return Decoded(utf8: out.bytes, bozo: true, encoding: name)
        }
        return Decoded(utf8: UTF8Check.repaired(body), bozo: true, encoding: "UTF-8")
    }

    static func sniffBOM(_ b: ArraySlice<UInt8>) -> (encoding: String, length: Int)? {
        let a = Array(b.prefix(4))
        if a.starts(with: [0xEF, 0xBB, 0xBF]) { return ("UTF-8", 3) }
        if a.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return ("UTF-32BE", 4) }
        if a.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return ("UTF-32LE", 4) }
        if a.starts(with: [0xFE, 0xFF]) { return ("UTF-16BE", 2) }
        if a.starts(with: [0xFF, 0xFE]) { return ("UTF-16LE", 2) }
        return nil
    }

    /// `encoding="…"` of an XML declaration at (or just after junk/whitespace near) the start.
    static func declaredEncoding(_ b: ArraySlice<UInt8>) -> String? {
        let head = Array(b.prefix(512))
        guard let start = find(head, Array("<?xml".utf8)) else { return nil }
        guard let end = find(head, Array("?>".utf8), from: start) else { return nil }
        let decl = head[start..<end]
        guard let e = find(Array(decl), Array("encoding".utf8)) else { return nil }
        var i = decl.startIndex + e + 8
        while i < end, head[i] == 0x20 || head[i] == 0x09 || head[i] == 0x0A || head[i] == 0x0D { i += 1 }
        guard i < end, head[i] == 0x3D else { return nil }
        i += 1
        while i < end, head[i] == 0x20 || head[i] == 0x09 || head[i] == 0x0A || head[i] == 0x0D { i += 1 }
        guard i < end, head[i] == 0x22 || head[i] == 0x27 else { return nil }
        let quote = head[i]
        i += 1
        var j = i
        while j < end, head[j] != quote { j += 1 }
        guard j > i else { return nil }
        return String(decoding: head[i..<j], as: Unicode.UTF8.self)
    }

    /// Upper-cased, trimmed name with the aliases iconv does not know.
    static func normalize(_ raw: String) -> String? {
        var s = raw.trimmingCharacters(in: " \t\r\n\"'").uppercased()
        if s.isEmpty { return nil }
        if s.hasPrefix("X-") && !["X-MAC-CYRILLIC", "X-SJIS", "X-EUC-JP"].contains(s) { s.removeFirst(2) }
        switch s {
        case "UTF8", "UNICODE-1-1-UTF-8", "UNICODE11UTF8", "UNICODE20UTF8": return "UTF-8"
        case "X-MAC-CYRILLIC", "MAC-CYRILLIC", "MACCYRILLIC": return "MAC-CYRILLIC"
        case "X-SJIS", "SJIS", "SHIFT-JIS", "MS_KANJI", "CSSHIFTJIS": return "SHIFT_JIS"
        case "X-EUC-JP": return "EUC-JP"
        case "UNICODE", "UTF-16", "ISO-10646-UCS-2", "UCS-2": return "UTF-16"
        default: return s
        }
    }

    /// Encodings that publishers declare while actually using a Microsoft
    /// superset (WHATWG Encoding Standard §4.2 makes the same identifications):
    /// try the superset first, it decodes everything the original does.
    static func supersets(of name: String) -> [String] {
        switch name {
        case "EUC-KR", "KS_C_5601-1987", "KSC5601", "KS_C_5601", "CSEUCKR", "ISO-IR-149", "KOREAN": return ["CP949", "EUC-KR"]
        case "SHIFT_JIS", "WINDOWS-31J", "CSWINDOWS31J": return ["CP932", "SHIFT_JIS"]
        case "EUC-JP", "CSEUCPKDFMTJAPANESE": return ["EUC-JP", "EUC-JP-MS"]
        case "GB2312", "GBK", "EUC-CN", "CSGB2312", "CHINESE", "CP936", "WINDOWS-936", "GB_2312-80": return ["GB18030"]
        case "BIG5", "BIG-5", "CN-BIG5", "CSBIG5", "BIG5-HKSCS": return ["BIG5", "BIG5-HKSCS"]
        case "ISO-8859-1", "ISO8859-1", "LATIN1", "L1", "US-ASCII", "ASCII", "ISO_8859-1", "CP819", "IBM819", "ISO-IR-100", "CSISOLATIN1":
            return ["WINDOWS-1252", "ISO-8859-1"]
        case "ISO-8859-9", "LATIN5": return ["WINDOWS-1254", "ISO-8859-9"]
        case "TIS-620", "ISO-8859-11": return ["CP874", name]
        case "UTF-16":
            return ["UTF-16"]
        default: return [name]
        }
    }

    private static func find(_ hay: [UInt8], _ needle: [UInt8], from: Int = 0) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
