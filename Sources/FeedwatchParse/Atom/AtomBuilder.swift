import Foundation

/// Fills an `AtomWire` from the element stream.
final class AtomBuilder: XMLEventSink {
    enum Context { case feed, entry, author, other }
    enum Field {
        case fTitle, fSubtitle, fUpdated, fModified
        case eID, eTitle, eSummary, eContent, ePublished, eIssued, eCreated, eUpdated, eModified, eCategory
        case authorName, authorEmail, link
    }
    struct Frame {
        var context: Context
        var field: Field?
        var base: String?
        var base64 = false
        var link: AtomWire.Link?
        var author: (name: String?, email: String?)?
    }

    private var wire: AtomWire
    private var stack: [Frame] = []
    private var current: AtomWire.Entry?

    /// Namespace of the root <feed>: pre-1.0 drafts used several URIs (echo, necho, pie …).
    private let rootNS: XMLNamespace

    init(isAtom10: Bool, rootNS: XMLNamespace, rootAttributes: [XMLAttribute], documentBase: String?) {
        self.rootNS = rootNS
        wire = AtomWire(isAtom10: isAtom10)
        wire.version = rootAttributes.value("version")
        wire.xmlLang = rootAttributes.value(.xml, "lang")
        stack.append(Frame(context: .feed, base: RSSBuilder.base(rootAttributes, parent: documentBase)))
    }

    func startElement(ns: XMLNamespace, name: String, attributes: [XMLAttribute]) -> ContentMode {
        let parent = stack.last!
        let base = attributes.isEmpty ? parent.base : RSSBuilder.base(attributes, parent: parent.base)
        var frame = Frame(context: .other, base: base)
        defer { stack.append(frame) }
        // Atom elements come in the Atom namespace, or none for sloppy 0.3 feeds.
        let atom = ns.isAtom || ns == .none || ns == rootNS
        switch parent.context {
        case .feed:
            guard atom else { return .skip }
            switch name {
            case "entry":
                current = AtomWire.Entry()
                frame.context = .entry
                return .container
            case "title": frame.field = .fTitle
            case "subtitle", "tagline": frame.field = .fSubtitle
            case "updated": frame.field = .fUpdated; return .text
            case "modified": frame.field = .fModified; return .text
            case "link":
                frame.field = .link
                frame.link = link(attributes, base: base)
                return .text
            default: return .skip
            }
            return textConstruct(&frame, attributes)
        case .entry:
            if ns == .dc && name == "subject" { frame.field = .eCategory; return .text }
            guard atom else { return .skip }
            switch name {
            case "id": frame.field = .eID; return .text
            case "title": frame.field = .eTitle
            case "summary": frame.field = .eSummary
            case "content": frame.field = .eContent
            case "published": frame.field = .ePublished; return .text
            case "issued": frame.field = .eIssued; return .text
            case "created": frame.field = .eCreated; return .text
            case "updated": frame.field = .eUpdated; return .text
            case "modified": frame.field = .eModified; return .text
            case "author":
                frame.context = .author
                frame.author = (nil, nil)
                return .container
            case "category":
                if let term = (attributes.value("term") ?? attributes.value("label"))?.trimmedOrNil {
                    current?.categories.append(term)
                    return .skip
                }
                frame.field = .eCategory
                return .text
            case "link":
                frame.field = .link
                frame.link = link(attributes, base: base)
                return .text
            default: return .skip  // source, contributor, extensions
            }
            return textConstruct(&frame, attributes)
        case .author:
            guard atom else { return .skip }
            switch name {
            case "name": frame.field = .authorName; return .text
            case "email": frame.field = .authorEmail; return .text
            default: return .skip
            }
        case .other:
            return .skip
        }
    }

    private func link(_ attrs: [XMLAttribute], base: String?) -> AtomWire.Link {
        // RFC 4287 §4.2.7.2: a link without rel is rel="alternate".
        let rel = attrs.value("rel")?.trimmedOrNil ?? "alternate"
        let href = attrs.value("href")?.trimmedOrNil.map { Links.resolve($0, against: base) }
        return AtomWire.Link(rel: rel, href: href, type: attrs.value("type")?.trimmedOrNil,
                             length: attrs.value("length")?.trimmedOrNil)
    }

    /// Atom text constructs: RFC 4287 §3.1 (`type` text/html/xhtml) and Atom 0.3
    /// §3.1 (`type` a MIME type, `mode` xml/escaped/base64; §5.12 content may be
    /// any MIME type, base64-encoded when not textual).
    private func textConstruct(_ frame: inout Frame, _ attrs: [XMLAttribute]) -> ContentMode {
        let type = attrs.value("type")?.trimmedOrNil?.lowercased() ?? "text"
        let mode = attrs.value("mode")?.trimmedOrNil?.lowercased()
        if mode == "base64" { frame.base64 = true; return .text }
        switch type {
        case "html", "text/html": return .html
        case "text", "text/plain", "": return .text
        case "xhtml": return .xhtml
        case "application/xhtml+xml": return .text
        default:
            // RFC 4287 §4.1.3.3: other non-XML, non-text types are base64.
            if wire.isAtom10 && !type.hasPrefix("text/") && !type.hasSuffix("+xml") && !type.hasSuffix("/xml") {
                frame.base64 = true
            }
            return .text
        }
    }

    func endElement(text: String?) {
        let frame = stack.removeLast()
        switch frame.context {
        case .entry:
            if let e = current { wire.entries.append(e) }
            current = nil
            return
        case .author:
            if let a = frame.author, let who = a.name ?? a.email { current?.authors.append(who) }
            return
        default: break
        }
        guard let field = frame.field else { return }
        if field == .link, var link = frame.link {
            // Atom 0.3-era feeds sometimes put the URL in the element text instead of href.
            if link.href == nil, let t = text?.trimmedOrNil { link.href = Links.resolve(t, against: frame.base) }
            if current != nil, stack.last?.context == .entry { current?.links.append(link) }
            else if stack.last?.context == .feed { wire.links.append(link) }
            return
        }
        guard var value = text?.trimmedOrNil else { return }
        if frame.base64 {
            let compact = value.filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: compact, options: .ignoreUnknownCharacters) {
                value = String(decoding: data, as: UTF8.self)
            }
        }
        switch field {
        case .fTitle: if wire.title == nil { wire.title = value }
        case .fSubtitle: if wire.subtitle == nil { wire.subtitle = value }
        case .fUpdated: wire.updated = value
        case .fModified: wire.modified = value
        case .eID: if current?.id == nil { current?.id = value }
        case .eTitle: if current?.title == nil { current?.title = value }
        case .eSummary: if current?.summary == nil { current?.summary = value }
        case .eContent: if current?.content == nil { current?.content = value }
        case .ePublished: current?.published = value
        case .eIssued: current?.issued = value
        case .eCreated: current?.created = value
        case .eUpdated: current?.updated = value
        case .eModified: current?.modified = value
        case .eCategory: current?.categories.append(value)
        case .authorName:
            if stack.last?.context == .author, stack.last?.author?.name == nil { stack[stack.count - 1].author?.name = value }
        case .authorEmail:
            if stack.last?.context == .author, stack.last?.author?.email == nil { stack[stack.count - 1].author?.email = value }
        case .link: break
        }
    }

    func finish() -> AtomWire {
        if let e = current { wire.entries.append(e); current = nil }
        return wire
    }
}
