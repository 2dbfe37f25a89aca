/// HTML → plain text, for scoring and summaries.
///
/// Not an HTML parser: a single forgiving scan in the spirit of the HTML
/// Living Standard's tokenizer (§13.2.5) that is good enough to recover the
/// words of an article — which is all the classifier and the alert summary
/// need — and never fails, whatever the input:
/// - tags are removed; block-level elements (p, div, br, li, h1–h6, tr …)
///   become a newline so that sentences and headings stay apart, other tags
///   a word break only where the markup would render one;
/// - `<script>`, `<style>`, `<noscript>`, `<template>`, `<svg>` and comments
///   are dropped with their content;
/// - character references are decoded: numeric (`&#8217;`, `&#x2019;`) and
///   named (`HTMLEntities`: HTML 4.01's 252 and the HTML5 ones news markup
///   uses — an unknown name is kept verbatim, as browsers do for
///   unterminated references);
/// - runs of spaces/tabs collapse to one space, runs of blank lines to one
///   empty line, and each line is trimmed.
public enum HTMLText {
    /// Works on UTF-8 bytes: every character that has a meaning in markup
    /// (`<`, `>`, `&`, quotes, whitespace) is ASCII, and UTF-8 never uses an
    /// ASCII byte inside a multi-byte sequence, so other bytes are copied
    /// through untouched. (A scalar-by-scalar version took a fifth of the
    /// pipeline's CPU on a cold pass.)
    public static func plainText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { s in
            // Fast path: nothing to strip or decode, only whitespace to tidy.
            if !s.contains(0x3C) && !s.contains(0x26) { return collapse(s) }
            return String(decoding: convert(s), as: UTF8.self)
        }
    }

    private static func convert(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        let n = s.count
        var i = 0
        // Pending whitespace is emitted lazily so that collapsing is trivial.
        var pendingSpace = false
        var pendingNewlines = 0
        var atLineStart = true

        func emit(_ c: UInt8) {
            if pendingNewlines > 0 {
                if !out.isEmpty {
                    out.append(0x0A)
                    if pendingNewlines > 1 { out.append(0x0A) }
                }
                pendingNewlines = 0
                pendingSpace = false
                atLineStart = true
            } else if pendingSpace {
                if !atLineStart { out.append(0x20) }
                pendingSpace = false
            }
            out.append(c)
            atLineStart = false
        }
        func space() { pendingSpace = true }
        func newline(_ k: Int = 1) { pendingNewlines = max(pendingNewlines, k) }

        while i < n {
            let c = s[i]
            if c == 0x3C { // <
                // Comment: <!-- … -->
                if i + 3 < n, s[i + 1] == 0x21, s[i + 2] == 0x2D, s[i + 3] == 0x2D {
                    var j = i + 4
                    while j + 2 < n, !(s[j] == 0x2D && s[j + 1] == 0x2D && s[j + 2] == 0x3E) { j += 1 }
                    i = min(n, j + 3)
                    continue
                }
                // A tag must start with a letter, '/', '!' or '?'; otherwise '<' is text ("a < b").
                guard i + 1 < n, isTagStart(s[i + 1]) else { emit(c); i += 1; continue }
                var j = i + 1
                let closing = s[j] == 0x2F
                if closing { j += 1 }
                let nameStart = j
                while j < n, isNameChar(s[j]) { j += 1 }
                let nameEnd = j
                let kind = tagKind(s, nameStart, nameEnd)
                // Skip to the end of the tag, honouring quoted attribute values.
                var quote: UInt8 = 0
                while j < n {
                    let d = s[j]
                    if quote != 0 {
                        if d == quote { quote = 0 }
                    } else if d == 0x22 || d == 0x27 {
                        quote = d
                    } else if d == 0x3E {
                        break
                    }
                    j += 1
                }
                i = min(n, j + 1)
                if !closing, kind == .rawText {
                    // Drop everything up to the matching end tag.
                    let end: [UInt8] = [0x3C, 0x2F] + s[nameStart..<nameEnd].map(lower)
                    var k = i
                    while k < n {
                        if s[k] == 0x3C, k + end.count <= n {
                            var match = true
                            for (m, e) in end.enumerated() where lower(s[k + m]) != e { match = false; break }
                            if match { break }
                        }
                        k += 1
                    }
                    // Skip the end tag itself.
                    while k < n, s[k] != 0x3E { k += 1 }
                    i = min(n, k + 1)
                    space()
                    continue
                }
                switch kind {
                case .lineBreak, .block: newline()
                case .paragraph: newline(2)
                case .inline: break
                case .rawText, .other:
                    // Unknown or void elements (img, input …): a word break is safer than gluing words.
                    space()
                }
                continue
            }
            if c == 0x26 { // &
                if let (decoded, next) = decodeReference(s, at: i) {
                    for d in decoded.unicodeScalars {
                        if isSpace(d) {
                            space()
                        } else {
                            for b in String(d).utf8 { emit(b) }
                        }
                    }
                    i = next
                } else {
                    emit(c)
                    i += 1
                }
                continue
            }
            if c == 0x0A || c == 0x0D || c == 0x09 || c == 0x20 || c == 0x0C {
                space()
                i += 1
            } else {
                emit(c)
                i += 1
                // The rest of a run of plain text goes straight out, in one
                // copy: nothing is pending after emit (most of a description is
                // such runs). A single space between two plain bytes is part of
                // the run — collapsing would write exactly that space — so a run
                // is usually a whole sentence, not one word.
                let start = i
                while i < n {
                    let d = s[i]
                    if isPlain(d) { i += 1; continue }
                    if d == 0x20, i + 1 < n, isPlain(s[i + 1]) { i += 2; continue }
                    break
                }
                if i > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: s[start..<i])) }
            }
        }
        return out
    }

    /// Text without markup: runs of spaces/tabs → one space, runs of blank
    /// lines → one empty line, lines trimmed (the same rules as `convert`,
    /// where a newline in text is just a space — as in HTML).
    private static func collapse(_ s: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var pendingSpace = false
        for c in s {
            if c == 0x0A || c == 0x0D || c == 0x09 || c == 0x20 || c == 0x0C {
                pendingSpace = true
            } else {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a character reference starting at `s[i] == "&"`; nil when it is not one.
    static func decodeReference(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (String, Int)? {
        let n = s.count
        var j = i + 1
        guard j < n else { return nil }
        if s[j] == 0x23 { // #
            j += 1
            var hex = false
            if j < n, s[j] == 0x78 || s[j] == 0x58 { hex = true; j += 1 }
            var value: UInt32 = 0
            var digits = 0
            while j < n, digits < 8 {
                let d = UInt32(s[j])
                let v: UInt32
                if d >= 48 && d <= 57 { v = d - 48 }
                else if hex && d >= 97 && d <= 102 { v = d - 87 }
                else if hex && d >= 65 && d <= 70 { v = d - 55 }
                else { break }
                value = value &* (hex ? 16 : 10) &+ v
                digits += 1
                j += 1
            }
            guard digits > 0 else { return nil }
            if j < n, s[j] == 0x3B { j += 1 }
            // HTML §13.2.5.80: NUL, surrogates and out-of-range become U+FFFD;
            // C1 controls are the Windows-1252 characters authors meant.
            if value >= 0x80 && value <= 0x9F, let w = windows1252[value] { return (String(w), j) }
            guard value != 0, let scalar = Unicode.Scalar(value) else { return ("\u{FFFD}", j) }
            return (String(Character(scalar)), j)
        }
        let nameStart = j
        while j < n, j - nameStart < 32, isAlnum(s[j]) { j += 1 }
        guard j > nameStart else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: s[nameStart..<j]), as: UTF8.self)
        guard let cp = HTMLEntities.codePoint(name), let scalar = Unicode.Scalar(cp) else { return nil }
        if j < n, s[j] == 0x3B { j += 1 }
        return (String(Character(scalar)), j)
    }

    /// Text that goes out as it is: not markup (`<`, `&`) and not HTML
    /// whitespace (which collapses).
    @inline(__always)
    private static func isPlain(_ d: UInt8) -> Bool {
        d > 0x20 ? (d != 0x3C && d != 0x26) : !(d == 0x20 || d == 0x0A || d == 0x0D || d == 0x09 || d == 0x0C)
    }

    private static func isTagStart(_ c: UInt8) -> Bool {
        c == 0x2F || c == 0x21 || c == 0x3F || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    private static func isNameChar(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 58
    }
    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{A0}"
    }
    static func lower(_ c: UInt8) -> UInt8 {
        (c >= 65 && c <= 90) ? c + 32 : c
    }

    enum TagKind: UInt8 { case rawText, lineBreak, paragraph, block, inline, other }

    /// A tag name (case-folded, up to 16 bytes) packed into two words: one
    /// hash lookup per tag instead of building a lowercased String and
    /// probing four sets (that was ~4% of a cold pass).
    struct TagKey: Hashable {
        var a: UInt64 = 0, b: UInt64 = 0
        init?<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            guard bytes.count <= 16 else { return nil }
            for (i, byte) in bytes.enumerated() {
                let v = UInt64(lower(byte)) << UInt64((i % 8) * 8)
                if i < 8 { a |= v } else { b |= v }
            }
        }
    }

    static func tagKind(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> TagKind {
        guard let key = TagKey(UnsafeBufferPointer(rebasing: s[start..<end])) else { return .other }
        return tagKinds[key] ?? .other
    }

    private static let tagKinds: [TagKey: TagKind] = {
        var table: [TagKey: TagKind] = [:]
        func add(_ names: Set<String>, _ kind: TagKind) { for n in names { table[TagKey(Array(n.utf8))!] = kind } }
        add(inlineElements, .inline)
        add(blockElements, .block)
        add(paragraphElements, .paragraph)
        add(["br"], .lineBreak)
        add(rawTextElements, .rawText)
        return table
    }()

    private static let rawTextElements: Set<String> = ["script", "style", "noscript", "template", "svg", "head", "iframe", "object"]
    private static let paragraphElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
        "figure", "section", "article", "header", "footer", "aside", "nav", "main", "hr", "title",
    ]
    private static let blockElements: Set<String> = [
        "div", "li", "dt", "dd", "tr", "td", "th", "caption", "figcaption", "address", "form",
        "fieldset", "legend", "details", "summary", "body", "html", "option", "tbody", "thead", "tfoot",
    ]
    private static let inlineElements: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
        "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "font", "ins", "del",
    ]

    private static let windows1252: [UInt32: Character] = [
        0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡", 0x88: "ˆ", 0x89: "‰",
        0x8A: "Š", 0x8B: "‹", 0x8C: "Œ", 0x8E: "Ž", 0x91: "‘", 0x92: "’", 0x93: "“", 0x94: "”", 0x95: "•",
        0x96: "–", 0x97: "—", 0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›", 0x9C: "œ", 0x9E: "ž", 0x9F: "Ÿ",
    ]
}
