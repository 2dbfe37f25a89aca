/// Looks at the root element, picks the dialect's builder and forwards the
/// rest of the stream to it.
final class DocumentSink: XMLEventSink {
    enum Builder { case rss(RSSBuilder), atom(AtomBuilder) }
    private(set) var builder: Builder?
    private(set) var rootName: String?
    private let documentBase: String?
    private var forward: XMLEventSink?
    private var depth = 0

    private var declared: [XMLNamespace] = []

    init(documentBase: String?) { self.documentBase = documentBase }

    func rootNamespaces(_ namespaces: [XMLNamespace]) { declared = namespaces }

    func startElement(ns: XMLNamespace, name: String, attributes: [XMLAttribute]) -> ContentMode {
        if let forward {
            depth += 1
            return forward.startElement(ns: ns, name: name, attributes: attributes)
        }
        if rootName != nil { return .skip }  // a second root after a recovered error
        rootName = name
        switch (ns, name) {
        case (_, "rss") where ns.isRSSCore || ns == .other:
            let b = RSSBuilder(dialect: .rss(version: attributes.value("version")), rootAttributes: attributes, documentBase: documentBase)
            builder = .rss(b); forward = b
        case (.rdf, "RDF"):
            let b = RSSBuilder(dialect: .rdf(ns), rootAttributes: attributes, documentBase: documentBase)
            if declared.contains(.rss090) && !declared.contains(.rss10) { b.assumeChannelNamespace(.rss090) }
            builder = .rss(b); forward = b
        case (_, "feed"):
            let b = AtomBuilder(isAtom10: ns == .atom10, rootNS: ns, rootAttributes: attributes, documentBase: documentBase)
            builder = .atom(b); forward = b
        default:
            return .skip
        }
        return .container
    }

    var successor: XMLEventSink? { forward }

    func endElement(text: String?) {
        guard let forward else { return }
        if depth == 0 { self.forward = nil; return }
        depth -= 1
        forward.endElement(text: text)
    }
}
