import Foundation

/// The feed dialects `feedwatch parse` reports (CONTRACT.md, "feedwatch parse --json output").
public enum FeedFormat: String, Sendable, Equatable {
    case rss090, rss091, rss092, rss093, rss094, rss20, rss10, atom03, atom10, json10, json11
}

/// The normalized feed: one shape for every dialect. Text fields are entity-decoded
/// and trimmed; summary/content keep their HTML as given (plain text is the
/// classifier's business); dates are absolute instants (printed in UTC).
public struct ParsedFeed: Sendable {
    public var format: FeedFormat
    /// True when the document was not well-formed (or not in the encoding it claimed)
    /// and the parser had to recover; what was recovered is still in `items`.
    public var bozo: Bool
    public var title: String?
    public var link: String?
    public var description: String?
    public var language: String?
    public var updated: Date?
    public var items: [ParsedItem]
    public var hints: FeedHints

    public init(format: FeedFormat, bozo: Bool = false, title: String? = nil, link: String? = nil,
                description: String? = nil, language: String? = nil, updated: Date? = nil,
                items: [ParsedItem] = [], hints: FeedHints = FeedHints()) {
        self.format = format
        self.bozo = bozo
        self.title = title
        self.link = link
        self.description = description
        self.language = language
        self.updated = updated
        self.items = items
        self.hints = hints
    }
}

public struct ParsedItem: Sendable, Equatable {
    /// RSS guid / Atom id / JSON Feed id, verbatim; nil when the feed gives none.
    public var id: String?
    public var title: String?
    /// Absolute (after xml:base / base-URL resolution).
    public var link: String?
    public var summary: String?
    public var content: String?
    public var published: Date?
    public var updated: Date?
    public var authors: [String]
    public var categories: [String]
    public var enclosures: [Enclosure]

    public init(id: String? = nil, title: String? = nil, link: String? = nil, summary: String? = nil,
                content: String? = nil, published: Date? = nil, updated: Date? = nil,
                authors: [String] = [], categories: [String] = [], enclosures: [Enclosure] = []) {
        self.id = id
        self.title = title
        self.link = link
        self.summary = summary
        self.content = content
        self.published = published
        self.updated = updated
        self.authors = authors
        self.categories = categories
        self.enclosures = enclosures
    }

    /// A stable identity for the item even when the publisher gives no id:
    /// guid/id → link → title + date (issue 2, "item identity fallbacks").
    /// Nil only for an item with none of these.
    public var identity: String? {
        if let id, !id.isEmpty { return id }
        if let link, !link.isEmpty { return link }
        let date = (published ?? updated).map { String(Int64($0.timeIntervalSince1970)) } ?? ""
        if let title, !title.isEmpty { return "title:" + title + "|" + date }
        if !date.isEmpty { return "date:" + date }
        return nil
    }
}

public struct Enclosure: Sendable, Equatable {
    public var url: String
    public var type: String?
    public var length: Int?

    public init(url: String, type: String? = nil, length: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// Publisher's polling hints, honoured by the scheduler as lower bounds:
/// RSS `<ttl>` (minutes), `sy:updatePeriod`/`sy:updateFrequency`,
/// `skipHours` (0-23, UTC per the RSS 2.0 spec), `skipDays` (1 = Sunday … 7 = Saturday).
public struct FeedHints: Sendable, Equatable {
    public var ttlSeconds: Int?
    public var updatePeriodSeconds: Int?
    public var skipHours: Set<Int>
    public var skipDays: Set<Int>

    public init(ttlSeconds: Int? = nil, updatePeriodSeconds: Int? = nil,
                skipHours: Set<Int> = [], skipDays: Set<Int> = []) {
        self.ttlSeconds = ttlSeconds
        self.updatePeriodSeconds = updatePeriodSeconds
        self.skipHours = skipHours
        self.skipDays = skipDays
    }
}

/// Why a document could not be read as a feed at all. A document that is a feed
/// but broken is not an error: it parses with `bozo == true`.
public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but whitespace (or nothing at all).
    case empty
    /// Well-formed enough to read, but not RSS, Atom, RDF or JSON Feed.
    case notAFeed(String)
    /// The bytes could not be read as XML or JSON at all.
    case malformed(String)
    /// Over a hard limit (decompressed size, nesting depth, entity expansion).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty: return "empty document"
        case .notAFeed(let why): return "not a feed: \(why)"
        case .malformed(let why): return "unreadable document: \(why)"
        case .tooLarge(let why): return "document over limit: \(why)"
        }
    }
}
