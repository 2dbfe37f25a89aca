/// Fills an `RSSWire` from the element stream (RSS 0.9x/2.0 and, for RDF roots, RSS 0.90/1.0).
final class RSSBuilder: XMLEventSink {
    enum Context { case root, channel, item, image, textInput, skipHours, skipDays, other }
    enum Field {
        case cTitle, cDCTitle, cLink, cDescription, cDCDescription, cLanguage, cDCLanguage, cLastBuildDate, cPubDate
        case cDCDate, cModified, cTTL, cUpdatePeriod, cUpdateFrequency, hour, day
        case iTitle, iDCTitle, iMediaTitle, iLink, iDescription, iDCDescription, iContent, iBody, iFullitem, iGuid
        case iPubDate, iDCDate, iIssued, iModified, iAuthor, iCategory
    }
    struct Frame {
        var context: Context
        var field: Field?
        var base: String?
    }

    private(set) var wire: RSSWire
    private var stack: [Frame] = []
    /// Indices into wire.items of the open <item> elements. Items are appended
    /// at their start tag, so a stray nested <item> (seen in real feeds) becomes
    /// an item of its own without taking the outer item's place.
    private var open: [Int] = []

    /// Edits the innermost open item in place (no copy of the item).
    @inline(__always)
    private func withItem(_ body: (inout RSSWire.Item) -> Void) {
        if let i = open.last { body(&wire.items[i]) }
    }

    func assumeChannelNamespace(_ ns: XMLNamespace) { if wire.channelNS == nil { wire.channelNS = ns } }

    /// RSS element names compared case-insensitively, as feedparser and browsers do
    /// (`<pubdate>` and `<pubDate>` are seen in the wild).
    static func asciiLowercased(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return name }
        return String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    init(dialect: RSSWire.Dialect, rootAttributes: [XMLAttribute], documentBase: String?) {
        wire = RSSWire(dialect: dialect)
        wire.xmlLang = rootAttributes.value(.xml, "lang")
        stack.append(Frame(context: .root, field: nil, base: Self.base(rootAttributes, parent: documentBase)))
    }

    static func base(_ attrs: [XMLAttribute], parent: String?) -> String? {
        guard let b = attrs.value(.xml, "base") else { return parent }
        return Links.resolve(b, against: parent)
    }

    func startElement(ns: XMLNamespace, name rawName: String, attributes: [XMLAttribute]) -> ContentMode {
        let name = ns.isRSSCore ? RSSBuilder.asciiLowercased(rawName) : rawName
        let parent = stack.last!
        let base = attributes.isEmpty ? parent.base : Self.base(attributes, parent: parent.base)
        var frame = Frame(context: .other, field: nil, base: base)
        defer { stack.append(frame) }
        let core = ns.isRSSCore
        switch parent.context {
        case .root, .channel:
            if core {
                switch name {
                case "channel" where parent.context == .root:
                    frame.context = .channel
                    if wire.channelNS == nil { wire.channelNS = ns }
                    return .container
                case "item":
                    startItem(attributes)
                    frame.context = .item
                    return .container
                case "image": frame.context = .image; return .container
                case "textinput": frame.context = .textInput; return .container
                case "skiphours": frame.context = .skipHours; return .container
                case "skipdays": frame.context = .skipDays; return .container
                default: break
                }
            }
            // RSS 0.90/1.0 keep channel fields inside <channel>; RSS 2.0 too. Fields directly
            // under an RDF root are not channel fields.
            guard parent.context == .channel else { return .container }
            frame.field = channelField(ns, name)
            return frame.field == nil ? .skip : .text
        case .item:
            if core && name == "item" {
                startItem(attributes)
                frame.context = .item
                return .container
            }
            if core, name == "enclosure" {
                if let url = attributes.value("url")?.trimmedOrNil {
                    let enc = (url: Links.resolve(url, against: base), type: attributes.value("type")?.trimmedOrNil,
                               length: attributes.value("length"))
                    withItem { $0.enclosures.append(enc) }
                }
                return .skip
            }
            if core && name == "guid" {
                let notPermaLink = (attributes.value("isPermaLink") ?? attributes.value("ispermalink"))?.trimmedOrNil?.lowercased() == "false"
                withItem {
                    if notPermaLink { $0.guidIsPermaLink = false }
                    $0.guidBase = base
                }
            }
            frame.field = itemField(ns, name)
            return frame.field == nil ? .skip : .text
        case .skipHours:
            if name == "hour" { frame.field = .hour; return .text }
            return .skip
        case .skipDays:
            if name == "day" { frame.field = .day; return .text }
            return .skip
        case .image, .textInput, .other:
            return .skip
        }
    }

    private func channelField(_ ns: XMLNamespace, _ name: String) -> Field? {
        switch ns {
        case .none, .rss2, .rss090, .rss10:
            switch name {
            case "title": return .cTitle
            case "link": return .cLink
            case "description": return .cDescription
            case "language": return .cLanguage
            case "lastbuilddate": return .cLastBuildDate
            case "pubdate": return .cPubDate
            case "ttl": return .cTTL
            default: return nil
            }
        case .dc:
            switch name {
            case "title": return .cDCTitle
            case "description": return .cDCDescription
            case "language": return .cDCLanguage
            case "date": return .cDCDate
            default: return nil
            }
        case .dcterms:
            return name == "modified" ? .cModified : nil
        case .syndication:
            switch name {
            case "updatePeriod": return .cUpdatePeriod
            case "updateFrequency": return .cUpdateFrequency
            default: return nil
            }
        default: return nil
        }
    }

    private func itemField(_ ns: XMLNamespace, _ name: String) -> Field? {
        switch ns {
        case .none, .rss2, .rss090, .rss10:
            switch name {
            case "title": return .iTitle
            case "link": return .iLink
            case "description": return .iDescription
            case "guid": return .iGuid
            case "pubdate": return .iPubDate
            case "author": return .iAuthor
            case "category": return .iCategory
            case "fullitem": return .iFullitem
            default: return nil
            }
        case .dc:
            switch name {
            case "title": return .iDCTitle
            case "description": return .iDCDescription
            case "date": return .iDCDate
            case "creator", "author": return .iAuthor
            case "subject": return .iCategory
            default: return nil
            }
        case .dcterms:
            switch name {
            case "issued", "created": return .iIssued
            case "modified": return .iModified
            default: return nil
            }
        case .content:
            return name == "encoded" ? .iContent : nil
        case .xhtml:
            return name == "body" ? .iBody : nil
        case .media:
            switch name {
            case "title": return .iMediaTitle
            case "category": return .iCategory
            default: return nil
            }
        default: return nil
        }
    }

    func endElement(text: String?) {
        let frame = stack.removeLast()
        if frame.context == .item {
            open.removeLast()
            return
        }
        guard let field = frame.field, let value = text?.trimmedOrNil else { return }
        switch field {
        case .cTitle: if wire.title == nil { wire.title = value }
        case .cDCTitle: if wire.dcTitle == nil { wire.dcTitle = value }
        case .cLink: if wire.link == nil { wire.link = Links.resolve(value, against: frame.base) }
        case .cDescription: if wire.description == nil { wire.description = value }
        case .cDCDescription: if wire.dcDescription == nil { wire.dcDescription = value }
        case .cLanguage: wire.language = value
        case .cDCLanguage: wire.dcLanguage = value
        case .cLastBuildDate: wire.lastBuildDate = value
        case .cPubDate: wire.pubDate = value
        case .cDCDate: wire.dcDate = value
        case .cModified: wire.modified = value
        case .cTTL: wire.ttl = value
        case .cUpdatePeriod: wire.updatePeriod = value
        case .cUpdateFrequency: wire.updateFrequency = value
        case .hour: wire.skipHours.append(value)
        case .day: wire.skipDays.append(value)
        case .iTitle: withItem { if $0.title == nil { $0.title = value } }
        case .iDCTitle: withItem { if $0.dcTitle == nil { $0.dcTitle = value } }
        case .iMediaTitle: withItem { if $0.mediaTitle == nil { $0.mediaTitle = value } }
        case .iLink: withItem { if $0.link == nil { $0.link = Links.resolve(value, against: frame.base) } }
        case .iDescription: withItem { if $0.description == nil { $0.description = value } }
        case .iDCDescription: withItem { if $0.dcDescription == nil { $0.dcDescription = value } }
        case .iContent: withItem { if $0.contentEncoded == nil { $0.contentEncoded = value } }
        case .iBody: withItem { if $0.xhtmlBody == nil { $0.xhtmlBody = value } }
        case .iFullitem: withItem { if $0.fullitem == nil { $0.fullitem = value } }
        case .iGuid: withItem { if $0.guid == nil { $0.guid = value } }
        case .iPubDate: withItem { $0.pubDate = value }
        case .iDCDate: withItem { $0.dcDate = value }
        case .iIssued: withItem { $0.issued = value }
        case .iModified: withItem { $0.modified = value }
        case .iAuthor: withItem { $0.authors.append(value) }
        case .iCategory: withItem { $0.categories.append(value) }
        }
    }

    /// Items of a truncated document whose end tag never came are already in the list.
    func finish() -> RSSWire { wire }

    private func startItem(_ attributes: [XMLAttribute]) {
        var item = RSSWire.Item()
        item.rdfAbout = attributes.value(.rdf, "about")
        wire.items.append(item)
        open.append(wire.items.count - 1)
    }
}
