import Foundation

extension ParsedFeed {
    /// The one-line JSON object of CONTRACT.md ("feedwatch parse --json output"),
    /// keys in the contract's order, dates as RFC 3339 UTC.
    public func jsonObject(file: String) -> String {
        var o = JSONLine()
        o.open()
        o.key("file"); o.string(file)
        o.key("format"); o.string(format.rawValue)
        o.key("bozo"); o.raw(bozo ? "true" : "false")
        o.key("title"); o.string(title)
        o.key("link"); o.string(link)
        o.key("description"); o.string(description)
        o.key("language"); o.string(language)
        o.key("updated"); o.string(updated.map(DateParser.rfc3339))
        o.key("items"); o.raw("[")
        for (n, item) in items.enumerated() {
            if n > 0 { o.raw(",") }
            o.open()
            o.key("id"); o.string(item.id)
            o.key("title"); o.string(item.title)
            o.key("link"); o.string(item.link)
            o.key("summary"); o.string(item.summary)
            o.key("content"); o.string(item.content)
            o.key("published"); o.string(item.published.map(DateParser.rfc3339))
            o.key("updated"); o.string(item.updated.map(DateParser.rfc3339))
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
        return o.text
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

/// Minimal JSON writer (RFC 8259): strings escaped per §7, output stays one line.
struct JSONLine {
    private(set) var text = ""
    private var needComma = false

    mutating func open() { text += "{"; needComma = false }
    mutating func close() { text += "}"; needComma = true }
    mutating func raw(_ s: String) { text += s; needComma = true }
    mutating func key(_ k: String) {
        if needComma && text.last != "{" && text.last != "[" { text += "," }
        string(k)
        text += ":"
        needComma = false
    }
    mutating func strings(_ a: [String]) {
        text += "["
        for (i, s) in a.enumerated() {
            if i > 0 { text += "," }
            string(s)
        }
        text += "]"
        needComma = true
    }
    mutating func string(_ s: String?) {
        defer { needComma = true }
        guard let s else { text += "null"; return }
        var out = "\""
        var needsEscape = false
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let h = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
        text += out
    }
}
