/// The namespaces feed dialects use, matched by URI (never by prefix), per
/// "Namespaces in XML 1.0" §3. Unknown URIs are `.other`.
enum XMLNamespace: Sendable, Equatable {
    case none            // no namespace (RSS 0.9x/2.0 as usually written)
    case rss2            // RSS 2.0 put in a default namespace by some publishers
    case rss090          // http://my.netscape.com/rdf/simple/0.9/
    case rss10           // http://purl.org/rss/1.0/
    case rdf             // http://www.w3.org/1999/02/22-rdf-syntax-ns#
    case atom03          // http://purl.org/atom/ns#
    case atom10          // http://www.w3.org/2005/Atom (RFC 4287)
    case dc              // http://purl.org/dc/elements/1.1/
    case dcterms         // http://purl.org/dc/terms/
    case content         // http://purl.org/rss/1.0/modules/content/
    case media           // http://search.yahoo.com/mrss/
    case syndication     // http://purl.org/rss/1.0/modules/syndication/
    case xhtml           // http://www.w3.org/1999/xhtml
    case xml             // http://www.w3.org/XML/1998/namespace
    case other

    init(uri: String) {
        switch uri {
        case "": self = .none
        case "http://backend.userland.com/rss2", "http://backend.userland.com/rss",
             "http://blogs.law.harvard.edu/tech/rss", "http://purl.org/net/rss2":
            self = .rss2
        case "http://my.netscape.com/rdf/simple/0.9/", "http://my.netscape.com/rdf/simple/0.9":
            self = .rss090
        case "http://purl.org/rss/1.0/", "http://purl.org/rss/1.0": self = .rss10
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": self = .rdf
        case "http://www.w3.org/2005/Atom", "http://www.w3.org/2005/atom": self = .atom10
        case "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/elements/1.0/": self = .dc
        case "http://purl.org/dc/terms/": self = .dcterms
        case "http://purl.org/rss/1.0/modules/content/": self = .content
        case "http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss",
             "http://tools.search.yahoo.com/mrss/": self = .media
        case "http://purl.org/rss/1.0/modules/syndication/": self = .syndication
        case "http://www.w3.org/1999/xhtml": self = .xhtml
        case "http://www.w3.org/XML/1998/namespace": self = .xml
        default:
            // Atom 0.3 drafts used suffixed forms of the same URI.
            if uri.hasPrefix("http://purl.org/atom/ns#") { self = .atom03 }
            // Publishers put RSS 2.0 in a default namespace made up from the spec's address.
            else if uri.contains("backend.userland.com/rss") || uri.contains("harvard.edu/tech/rss")
                        || uri.hasSuffix("harvard.edu/rss/rss.html") || uri.hasSuffix("rssboard.org/rss-specification") { self = .rss2 }
            else if uri.hasPrefix("http://purl.org/dc/elements/") { self = .dc }
            else { self = .other }
        }
    }

    /// RSS core elements: no namespace, RSS 1.0/0.90 RDF vocabularies, or RSS 2.0 in a default namespace.
    var isRSSCore: Bool {
        switch self {
        case .none, .rss2, .rss090, .rss10: return true
        default: return false
        }
    }

    var isAtom: Bool { self == .atom03 || self == .atom10 }
}

struct XMLAttribute: Sendable {
    var ns: XMLNamespace
    var name: String
    var value: String
}

extension Array where Element == XMLAttribute {
    /// An unqualified attribute (attributes without prefix have no namespace, §6.2).
    func value(_ name: String) -> String? {
        for a in self where a.name == name && (a.ns == .none || a.ns == .other) { return a.value }
        return nil
    }
    func value(_ ns: XMLNamespace, _ name: String) -> String? {
        for a in self where a.name == name && a.ns == ns { return a.value }
        return nil
    }
}

/// What the stream parser does with an element's content.
enum ContentMode: Sendable {
    /// Children produce their own events; character data is dropped.
    case container
    /// Collect the text; child elements are serialized into it as markup (inline HTML/XHTML).
    case text
    /// Like `.text`, but the one wrapping `<div>` of Atom `type="xhtml"` (RFC 4287 §3.1.1.3) is left out.
    case xhtml
    /// Escaped HTML that also carries stray inline elements (Atom `type="html"`):
    /// like `.xhtml`, but text inside the elements is kept as written.
    case html
    /// Ignore the subtree.
    case skip
}

/// Receives the element stream. Only LibXML/ knows libxml2; builders only know this.
protocol XMLEventSink: AnyObject {
    func startElement(ns: XMLNamespace, name: String, attributes: [XMLAttribute]) -> ContentMode
    /// `text` is the collected content for `.text`/`.xhtml` elements, nil otherwise.
    func endElement(text: String?)
    /// The namespaces the root element declares, delivered just before its start.
    func rootNamespaces(_ namespaces: [XMLNamespace])
    /// A sink that, once it has seen the root element, hands the rest of the
    /// stream to another one (saves a forwarding call per event).
    var successor: XMLEventSink? { get }
}

extension XMLEventSink {
    func rootNamespaces(_ namespaces: [XMLNamespace]) {}
    var successor: XMLEventSink? { nil }
}
