import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// OPML 2.0 feed lists (http://opml.org/spec2.opml): users arrive with exports
/// from other readers and leave with one of ours.
public enum OPML {
    public struct Entry: Sendable, Equatable {
        public var url: String
        public var title: String?
    }

    public enum OPMLError: Error, CustomStringConvertible {
        case notOPML(String)
        public var description: String {
            switch self { case .notOPML(let why): return "not an OPML file: \(why)" }
        }
    }

    /// Every `<outline xmlUrl=…>` at any depth (folders are flattened).
    public static func entries(from data: Data) throws -> [Entry] {
        let delegate = Collector()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        if !parser.parse() && delegate.entries.isEmpty {
            throw OPMLError.notOPML(parser.parserError.map { "\($0.localizedDescription)" } ?? "unreadable XML")
        }
        if !delegate.sawOPML { throw OPMLError.notOPML("no <opml> root element") }
        return delegate.entries
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var entries: [Entry] = []
        var sawOPML = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name.lowercased() == "opml" { sawOPML = true }
            guard name.lowercased() == "outline" else { return }
            let attrs = Dictionary(attributes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            guard let url = attrs["xmlurl"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return }
            let title = (attrs["title"] ?? attrs["text"]).flatMap { $0.isEmpty ? nil : $0 }
            entries.append(Entry(url: url, title: title))
        }
    }

    public static func export(_ feeds: [FeedConfig], title: String = "feedwatch feeds") -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>\(esc(title))</title></head>\n  <body>\n"
        for f in feeds {
            let name = esc(f.name ?? f.url)
            out += "    <outline type=\"rss\" text=\"\(name)\" title=\"\(name)\" xmlUrl=\"\(esc(f.url))\"/>\n"
        }
        return out + "  </body>\n</opml>\n"
    }

    /// Appends `[[feed]]` tables for the entries not yet configured to the
    /// config file's text, leaving everything the operator wrote untouched.
    /// Returns the new text and the entries added.
    public static func appendFeeds(_ entries: [Entry], to configText: String, existing: [FeedConfig]) -> (String, [Entry]) {
        var known = Set(existing.map(\.url))
        var added: [Entry] = []
        var text = configText
        if !text.hasSuffix("\n") && !text.isEmpty { text += "\n" }
        for e in entries {
            guard let c = URLComponents(string: e.url), let s = c.scheme?.lowercased(), s == "http" || s == "https",
                  !known.contains(e.url) else { continue }
            known.insert(e.url)
            text += "\n[[feed]]\n"
            if let t = e.title { text += "name = \(tomlString(t))\n" }
            text += "url = \(tomlString(e.url))\n"
            added.append(e)
        }
        return (text, added)
    }

    static func tomlString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
