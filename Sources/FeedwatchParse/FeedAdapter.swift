import Foundation

/// The one place where wire models become `ParsedFeed` (DESIGN.md rule 3):
/// every fallback between equivalent elements lives here.
enum FeedAdapter {
    // MARK: RSS 0.9x / 2.0 / RDF

    static func adapt(_ wire: consuming RSSWire) -> ParsedFeed {
        var w = wire
        let format: FeedFormat
        switch w.dialect {
        case .rdf:
            format = w.channelNS == .rss090 ? .rss090 : .rss10
        case .rss(let version):
            switch version?.trimmedOrNil {
            case "0.90", "0.9": format = .rss090
            case "0.91": format = .rss091
            case "0.92": format = .rss092
            case "0.93": format = .rss093
            case "0.94": format = .rss094
            default: format = .rss20
            }
        }
        var feed = ParsedFeed(format: format)
        feed.title = w.title ?? w.dcTitle
        feed.link = w.link
        feed.description = w.description ?? w.dcDescription
        feed.language = w.language ?? w.dcLanguage ?? w.xmlLang
        feed.updated = firstDate(w.lastBuildDate, w.dcDate, w.modified, w.pubDate)
        feed.hints = hints(w)
        feed.items.reserveCapacity(w.items.count)
        // popLast moves each wire item out (no per-field retain/release); the
        // list is built backwards and reversed once at the end.
        while let i = w.items.popLast() {
            var item = ParsedItem()
            item.id = i.guid ?? i.rdfAbout?.trimmedOrNil
            item.title = i.title ?? i.dcTitle ?? i.mediaTitle
            item.link = i.link
            // RSS 2.0 <guid>: isPermaLink (default true) makes the guid the item's URL.
            if item.link == nil, let g = i.guid, i.guidIsPermaLink, Links.hasScheme(g) {
                item.link = Links.resolve(g, against: i.guidBase)
            }
            item.summary = i.description ?? i.dcDescription
            item.content = i.contentEncoded ?? i.xhtmlBody ?? i.fullitem
            item.published = firstDate(i.pubDate, i.issued)
            item.updated = firstDate(i.modified, i.dcDate)
            if item.published == nil && i.pubDate == nil && i.issued == nil { item.published = item.updated }
            item.authors = i.authors
            item.categories = i.categories
            item.enclosures = i.enclosures.map { Enclosure(url: $0.url, type: $0.type, length: parseLength($0.length)) }
            feed.items.append(item)
        }
        feed.items.reverse()
        return feed
    }

    private static func hints(_ w: RSSWire) -> FeedHints {
        var h = FeedHints()
        if let t = w.ttl.flatMap({ Int($0) }), t > 0, t < 1_000_000 { h.ttlSeconds = t * 60 }
        // RSS 1.0 Syndication module: updatePeriod (hourly…yearly) / updateFrequency (times per period, default 1).
        if let p = w.updatePeriod?.lowercased() {
            let period: Int? = ["hourly": 3600, "daily": 86400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000][p]
            let freq = w.updateFrequency.flatMap { Int($0) } ?? 1
            if let period, freq > 0 { h.updatePeriodSeconds = period / freq }
        }
        for s in w.skipHours { if let v = Int(s), (0...24).contains(v) { h.skipHours.insert(v % 24) } }
        let days = ["sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7]
        for s in w.skipDays {
            let l = s.lowercased()
            if let v = days[l] { h.skipDays.insert(v) }
            else if let v = days.first(where: { $0.key.hasPrefix(l) && l.count >= 3 })?.value { h.skipDays.insert(v) }
        }
        return h
    }

    // MARK: Atom

    static func adapt(_ wire: consuming AtomWire) -> ParsedFeed {
        var w = wire
        var feed = ParsedFeed(format: w.isAtom10 ? .atom10 : .atom03)
        feed.title = w.title
        feed.link = alternate(w.links)
        feed.description = w.subtitle
        feed.language = w.xmlLang
        feed.updated = firstDate(w.updated, w.modified)
        feed.items.reserveCapacity(w.entries.count)
        while let e = w.entries.popLast() {
            var item = ParsedItem()
            item.id = e.id
            item.title = e.title
            item.link = alternate(e.links)
            item.summary = e.summary
            item.content = e.content
            item.published = firstDate(e.published, e.issued, e.created)
            item.updated = firstDate(e.updated, e.modified)
            item.authors = e.authors
            item.categories = e.categories
            item.enclosures = e.links.compactMap { l in
                guard l.rel == "enclosure", let href = l.href else { return nil }
                return Enclosure(url: href, type: l.type, length: parseLength(l.length))
            }
            feed.items.append(item)
        }
        feed.items.reverse()
        return feed
    }

    /// RFC 4287 §4.2.7.2: the "alternate" link; HTML preferred when there are several.
    private static func alternate(_ links: [AtomWire.Link]) -> String? {
        let alts = links.filter { $0.rel == "alternate" && $0.href != nil }
        return (alts.first { $0.type == nil || $0.type == "text/html" || $0.type == "application/xhtml+xml" } ?? alts.first)?.href
    }

    // MARK: JSON Feed

    static func adapt(_ w: JSONFeedWire, baseURL: String?) -> ParsedFeed {
        var feed = ParsedFeed(format: w.version.hasSuffix("/1.1") ? .json11 : .json10)
        feed.title = w.title?.trimmedOrNil
        feed.link = w.homePageURL?.trimmedOrNil.map { Links.resolve($0, against: baseURL) }
        feed.description = w.description?.trimmedOrNil
        feed.language = w.language?.trimmedOrNil
        for i in w.items {
            var item = ParsedItem()
            item.id = i.id?.trimmedOrNil
            item.title = i.title?.trimmedOrNil
            item.link = (i.url ?? i.externalURL)?.trimmedOrNil.map { Links.resolve($0, against: baseURL) }
            item.summary = i.summary?.trimmedOrNil
            item.content = (i.contentHTML ?? i.contentText)?.trimmedOrNil
            item.published = firstDate(i.datePublished)
            item.updated = firstDate(i.dateModified)
            item.authors = names(i.authors.isEmpty ? w.authors : i.authors)
            item.categories = i.tags.compactMap { $0.trimmedOrNil }
            item.enclosures = i.attachments.compactMap { a in
                a.url?.trimmedOrNil.map { Enclosure(url: Links.resolve($0, against: baseURL), type: a.mimeType, length: a.size) }
            }
            feed.items.append(item)
        }
        return feed
    }

    // MARK: helpers

    private static func names(_ authors: [JSONFeedWire.Author]) -> [String] {
        authors.compactMap { $0.name?.trimmedOrNil ?? $0.url?.trimmedOrNil }
    }

    /// The first of the given date strings that parses.
    private static func firstDate(_ candidates: String?...) -> Date? {
        for c in candidates { if let c, let d = DateParser.parse(c) { return d } }
        return nil
    }

    private static func parseLength(_ s: String?) -> Int? {
        guard let s = s?.trimmedOrNil, let v = Int(s), v >= 0 else { return nil }
        return v
    }
}
