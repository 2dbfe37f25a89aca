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
    private var lowercased: [String: String] = [:]

    private var current: RSSWire.Item? {
        get { open.last.map { wire.items[$0] } }
        set { if let i = open.last, let v = newValue { wire.items[i] = v } }
    }

    func assumeChannelNamespace(_ ns: XMLNamespace) { if wire.channelNS == nil { wire.channelNS = ns } }

    /// RSS element names compared case-insensitively, as feedparser and browsers do
    /// (`<pubdate>` and `<pubDate>` are seen in the wild).
    private func lower(_ name: String) -> String {
        if let l = lowercased[name] { return l }
        let l = name.lowercased()
        lowercased[name] = l
        return l
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
        let name = ns.isRSSCore ? lower(rawName) : rawName
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
                    current?.enclosures.append((Links.resolve(url, against: base), attributes.value("type")?.trimmedOrNil,
                                                attributes.value("length")))
                }
                return .skip
            }
            if core && name == "guid" {
                if let p = attributes.value("isPermaLink") ?? attributes.value("ispermalink"), p.trimmedOrNil?.lowercased() == "false" { current?.guidIsPermaLink = false }
                current?.guidBase = base
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
        case .iTitle: if current?.title == nil { current?.title = value }
        case .iDCTitle: if current?.dcTitle == nil { current?.dcTitle = value }
        case .iMediaTitle: if current?.mediaTitle == nil { current?.mediaTitle = value }
        case .iLink: if current?.link == nil { current?.link = Links.resolve(value, against: frame.base) }
        case .iDescription: if current?.description == nil { current?.description = value }
        case .iDCDescription: if current?.dcDescription == nil { current?.dcDescription = value }
        case .iContent: if current?.contentEncoded == nil { current?.contentEncoded = value }
        case .iBody: if current?.xhtmlBody == nil { current?.xhtmlBody = value }
        case .iFullitem: if current?.fullitem == nil { current?.fullitem = value }
        case .iGuid: if current?.guid == nil { current?.guid = value }
        case .iPubDate: current?.pubDate = value
        case .iDCDate: current?.dcDate = value
        case .iIssued: current?.issued = value
        case .iModified: current?.modified = value
        case .iAuthor: current?.authors.append(value)
        case .iCategory: current?.categories.append(value)
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
