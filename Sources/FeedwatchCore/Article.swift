import Foundation

/// One feed item as the pipeline sees it after parsing: the fields the
/// classifier, dedup, store and alert stages share. Built by the spine from a
/// parsed item (FeedwatchParse stays ignorant of this type).
public struct Article: Sendable, Equatable {
    /// The feed's key: its configured URL.
    public var feedURL: String
    /// The feed's display name (config `name`, else the feed's title, else URL).
    public var feedName: String
    /// Stable identity within the feed (FeedwatchDedup.ItemIdentity).
    public var identity: String
    public var guid: String?
    /// Absolute link as given by the feed.
    public var link: String?
    /// Canonical form of `link` (tracking parameters removed …), for cross-feed dedup.
    public var canonicalURL: String?
    public var title: String?
    /// Plain text of the summary/content (HTML stripped), for alerts and scoring.
    public var text: String
    public var published: Date?
    public var updated: Date?
    public var fetched: Date

    public init(feedURL: String, feedName: String, identity: String, guid: String? = nil,
                link: String? = nil, canonicalURL: String? = nil, title: String? = nil,
                text: String = "", published: Date? = nil, updated: Date? = nil, fetched: Date) {
        self.feedURL = feedURL
        self.feedName = feedName
        self.identity = identity
        self.guid = guid
        self.link = link
        self.canonicalURL = canonicalURL
        self.title = title
        self.text = text
        self.published = published
        self.updated = updated
        self.fetched = fetched
    }
}
