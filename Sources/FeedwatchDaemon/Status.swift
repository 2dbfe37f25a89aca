import Foundation
import FeedwatchCore
import FeedwatchStore

/// One row of `feedwatch status` (CONTRACT.md "feedwatch status --json output").
public struct FeedStatus: Sendable, Equatable {
    public var url: String
    public var configuredURL: String
    public var name: String?
    public var state: String
    public var lastFetch: Date?
    public var lastStatus: Int?
    public var consecutiveErrors: Int
    public var nextDue: Date?
    public var itemsSeen: Int
    public var alerts: Int
    public var lastError: String?

    /// Rows for every configured feed, in config order. Reads the database
    /// without creating it: before the first run every feed is "new".
    public static func rows(config: DaemonConfig) throws -> [FeedStatus] {
        let dbPath = (config.stateDir as NSString).appendingPathComponent("feedwatch.sqlite")
        var states: [String: FeedState] = [:]
        if FileManager.default.fileExists(atPath: dbPath) {
            let store = try FeedStore(path: dbPath, readOnly: true)
            for s in try store.allFeedStates() { states[s.configuredURL] = s }
        }
        return config.feeds.map { feed in
            let s = states[feed.url]
            return FeedStatus(url: s?.currentURL ?? feed.url, configuredURL: feed.url, name: feed.name ?? s?.name,
                              state: s?.statusState(now: Date()) ?? "new", lastFetch: s?.lastFetch, lastStatus: s?.lastStatus,
                              consecutiveErrors: s?.consecutiveErrors ?? 0, nextDue: s?.gone == true ? nil : s?.nextDue,
                              itemsSeen: s?.itemsSeen ?? 0, alerts: s?.alerts ?? 0, lastError: s?.lastError)
        }
    }

    public func jsonLine() -> String {
        func str(_ s: String?) -> String { s.map(JSONText.quote) ?? "null" }
        func int(_ i: Int?) -> String { i.map(String.init) ?? "null" }
        func date(_ d: Date?) -> String { d.map { JSONText.quote(RFC3339.format($0)) } ?? "null" }
        return "{\"url\":\(str(url)),\"configured_url\":\(str(configuredURL)),\"name\":\(str(name)),"
            + "\"state\":\(str(state)),\"last_fetch\":\(date(lastFetch)),\"last_status\":\(int(lastStatus)),"
            + "\"consecutive_errors\":\(consecutiveErrors),\"next_due\":\(date(nextDue)),"
            + "\"items_seen\":\(itemsSeen),\"alerts\":\(alerts),\"last_error\":\(str(lastError))}"
    }

    public static func short(_ d: Date) -> String {
        RFC3339.format(d)
    }
}
