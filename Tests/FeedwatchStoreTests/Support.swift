import FeedwatchCore
import FeedwatchStore
import Foundation

/// A temporary directory removed when the value is released.
final class TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("feedwatch-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var dbPath: String { url.appendingPathComponent("feedwatch.sqlite").path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Whole seconds, so values survive the store's millisecond precision exactly.
func t(_ seconds: Int) -> Date {
    Date(timeIntervalSince1970: TimeInterval(1_700_000_000 + seconds))
}

let feedA = "https://a.example/rss.xml"
let feedB = "https://b.example/atom.xml"

func article(_ feed: String, _ identity: String, title: String? = nil, text: String = "body",
             link: String? = nil, canonical: String? = nil, fetched: Date = t(0),
             published: Date? = nil) -> Article {
    Article(feedURL: feed, feedName: feed == feedA ? "Outlet A" : "Outlet B", identity: identity,
            link: link, canonicalURL: canonical ?? link, title: title ?? "Title \(identity)", text: text,
            published: published, fetched: fetched)
}

func write(_ a: Article, hash: String = "h1", score: Double? = nil, story: String? = nil,
           alerted: Bool = false) -> ArticleWrite {
    let s = score.map {
        Score(value: $0, threshold: 6, matches: [TermMatch(term: "Pyongyang", group: "north_korea",
                                                           weight: 2, count: 3, positions: [1, 5, 9])])
    }
    return ArticleWrite(article: a, contentHash: hash, score: s, storyID: story, alerted: alerted)
}

func alert(_ id: String, story: String, feed: String = "Outlet A", fetched: Date = t(0)) -> Alert {
    Alert(id: id, storyID: story, feed: feed, url: "https://a.example/\(id)", title: "Alert \(id)",
          published: t(-3600), fetched: fetched, score: 9.5, threshold: 6,
          matches: [TermMatch(term: "Lavrov", group: "russia", weight: 2, count: 1)],
          summary: "Summary \(id)", sources: [AlertSource(feed: "Outlet B", url: "https://b.example/x", title: "X")])
}

func story(_ id: String, firstSeen: Date? = nil) -> NewStory {
    NewStory(id: id, published: t(-3600), fingerprint: [1, 2, 3, 4, 5, 6, 7, 8], title: "Story \(id)",
             url: "https://a.example/\(id)", firstSeen: firstSeen)
}

/// A fetched-OK state for `url`.
func fetchedState(_ url: String, at: Date = t(0), etag: String? = "\"e1\"") -> FeedState {
    FeedState(configuredURL: url, etag: etag, lastModified: "Tue, 14 Nov 2023 22:13:20 GMT",
              bodyHash: "body-1", lastFetch: at, lastStatus: 200, nextDue: at.addingTimeInterval(900),
              firstFetchDone: true, hintsJSON: #"{"ttl":60}"#)
}
