/// RSS as written: RSS 0.91/0.92/2.0 (https://www.rssboard.org/rss-specification)
/// and the RDF dialects RSS 0.90 / RSS 1.0 (https://web.resource.org/rss/1.0/spec),
/// which share the channel/item vocabulary, plus the modules feeds mix in
/// (Dublin Core, content:encoded, syndication, Media RSS). Values are the
/// element texts as given (trimmed); links are already resolved against
/// xml:base. All interpretation happens in `FeedAdapter`.
struct RSSWire {
    enum Dialect { case rss(version: String?), rdf(XMLNamespace) }

    struct Item {
        var title: String?
        var dcTitle: String?
        var mediaTitle: String?
        var link: String?
        var rdfAbout: String?
        var description: String?
        var dcDescription: String?
        var contentEncoded: String?
        var xhtmlBody: String?
        var fullitem: String?
        var guid: String?
        var guidIsPermaLink = true
        /// xml:base in effect for the guid, to resolve it when it doubles as the link.
        var guidBase: String?
        var pubDate: String?
        var dcDate: String?
        var issued: String?
        var modified: String?
        var authors: [String] = []
        var categories: [String] = []
        var enclosures: [(url: String, type: String?, length: String?)] = []
    }

    var dialect: Dialect
    /// Namespace of the <channel> element (tells RSS 0.90 from 1.0 under an RDF root).
    var channelNS: XMLNamespace?
    var title: String?
    var dcTitle: String?
    var link: String?
    var description: String?
    var dcDescription: String?
    var language: String?
    var dcLanguage: String?
    var xmlLang: String?
    var lastBuildDate: String?
    var pubDate: String?
    var dcDate: String?
    var modified: String?
    var ttl: String?
    var updatePeriod: String?
    var updateFrequency: String?
    var skipHours: [String] = []
    var skipDays: [String] = []
    var items: [Item] = []
}
