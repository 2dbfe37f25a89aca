import Foundation

/// One alert as written to the spool and the alert log (CONTRACT.md, "Alert
/// spool and alert log"). `id` is stable: re-delivering the same alert after a
/// crash yields the same spool file name and the same log line id.
public struct Alert: Sendable, Equatable, Codable {
    public var id: String
    public var storyID: String
    public var feed: String
    public var url: String?
    public var title: String?
    public var published: Date?
    public var fetched: Date
    public var score: Double
    public var threshold: Double
    public var matches: [TermMatch]
    public var summary: String?
    public var sources: [AlertSource]

    public init(id: String, storyID: String, feed: String, url: String?, title: String?,
                published: Date?, fetched: Date, score: Double, threshold: Double,
                matches: [TermMatch], summary: String?, sources: [AlertSource]) {
        self.id = id
        self.storyID = storyID
        self.feed = feed
        self.url = url
        self.title = title
        self.published = published
        self.fetched = fetched
        self.score = score
        self.threshold = threshold
        self.matches = matches
        self.summary = summary
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case id, storyID = "story_id", feed, url, title, published, fetched
        case score, threshold, matches, summary, sources
    }
}

/// Another article of the same story, known when the alert was written.
public struct AlertSource: Sendable, Equatable, Codable {
    public var feed: String
    public var url: String?
    public var title: String?

    public init(feed: String, url: String?, title: String?) {
        self.feed = feed
        self.url = url
        self.title = title
    }
}
