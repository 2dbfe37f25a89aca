import FeedwatchCore
import Foundation

/// Everything the store knows about one configured feed: the scheduler's
/// state (validators, errors, due time …) and the counters `status` shows.
///
/// Times are stored with millisecond precision, so a state read back equals
/// the one written only when its dates are whole milliseconds.
public struct FeedState: Sendable, Equatable {
    /// The key: the URL as written in the config.
    public var configuredURL: String
    /// Where the feed is fetched from now (after a persisted 301/308 chain).
    public var currentURL: String
    /// Config `name`, if any.
    public var name: String?
    public var etag: String?
    public var lastModified: String?
    /// Hash of the last body processed, to skip a 200 whose body did not change.
    public var bodyHash: String?
    public var lastFetch: Date?
    public var lastStatus: Int?
    public var consecutiveErrors: Int
    public var nextDue: Date?
    public var retryAfterUntil: Date?
    /// 410 Gone: no longer polled.
    public var gone: Bool
    public var lastError: String?
    /// Distinct items stored for this feed. Maintained by the store from the
    /// rows `commit` actually inserts; a value set here is ignored on write.
    public var itemsSeen: Int
    /// Alerts raised by this feed. Maintained by the store from the outbox
    /// rows `commit` actually inserts; a value set here is ignored on write.
    public var alerts: Int
    /// The backlog rule (CONTRACT `alert_backlog`) applies until this is set.
    public var firstFetchDone: Bool
    /// The feed's own scheduling hints (ttl, sy:updatePeriod, skipHours,
    /// Cache-Control …) as JSON, owned by the scheduler.
    public var hintsJSON: String?

    public init(configuredURL: String, currentURL: String? = nil, name: String? = nil,
                etag: String? = nil, lastModified: String? = nil, bodyHash: String? = nil,
                lastFetch: Date? = nil, lastStatus: Int? = nil, consecutiveErrors: Int = 0,
                nextDue: Date? = nil, retryAfterUntil: Date? = nil, gone: Bool = false,
                lastError: String? = nil, itemsSeen: Int = 0, alerts: Int = 0,
                firstFetchDone: Bool = false, hintsJSON: String? = nil) {
        self.configuredURL = configuredURL
        self.currentURL = currentURL ?? configuredURL
        self.name = name
        self.etag = etag
        self.lastModified = lastModified
        self.bodyHash = bodyHash
        self.lastFetch = lastFetch
        self.lastStatus = lastStatus
        self.consecutiveErrors = consecutiveErrors
        self.nextDue = nextDue
        self.retryAfterUntil = retryAfterUntil
        self.gone = gone
        self.lastError = lastError
        self.itemsSeen = itemsSeen
        self.alerts = alerts
        self.firstFetchDone = firstFetchDone
        self.hintsJSON = hintsJSON
    }

    /// The `state` field of `feedwatch status` (CONTRACT.md): `new` before the
    /// first fetch, `gone` after a 410, `backoff` while a Retry-After window or
    /// a repeated-error backoff is running, `error` when the last fetch failed,
    /// else `ok`.
    public func statusState(now: Date) -> String {
        if gone { return "gone" }
        if lastFetch == nil && consecutiveErrors == 0 { return "new" }
        if let until = retryAfterUntil, until > now { return "backoff" }
        if consecutiveErrors > 0 {
            // More than one failure in a row means the scheduler is spacing
            // retries out (exponential backoff); a single one is a plain error.
            if consecutiveErrors > 1, let due = nextDue, due > now { return "backoff" }
            return "error"
        }
        return "ok"
    }
}

/// What the store already has for an item identity of one feed.
public struct KnownArticle: Sendable, Equatable {
    public var id: Int64
    public var identity: String
    public var contentHash: String
    public var alerted: Bool
    public var storyID: String?
    public var score: Double?
    /// The body was removed by retention; the identity is a tombstone.
    public var pruned: Bool

    public init(id: Int64, identity: String, contentHash: String, alerted: Bool,
                storyID: String?, score: Double?, pruned: Bool = false) {
        self.id = id
        self.identity = identity
        self.contentHash = contentHash
        self.alerted = alerted
        self.storyID = storyID
        self.score = score
        self.pruned = pruned
    }
}

/// One article to insert or to overwrite.
public struct ArticleWrite: Sendable {
    public var article: Article
    public var contentHash: String
    public var score: Score?
    /// The story the article belongs to: an existing one, or one in
    /// `FetchCommit.newStories`. On update, nil leaves the stored story unchanged.
    public var storyID: String?
    /// Whether this article raised an alert. On update it can only turn a
    /// stored `false` into `true`, never back: an article never alerts twice.
    public var alerted: Bool

    public init(article: Article, contentHash: String, score: Score?, storyID: String?, alerted: Bool) {
        self.article = article
        self.contentHash = contentHash
        self.score = score
        self.storyID = storyID
        self.alerted = alerted
    }
}

/// An edited item seen again: the stored row `id` (from `KnownArticle`) gets `write`.
public struct ArticleUpdate: Sendable {
    public var id: Int64
    public var write: ArticleWrite

    public init(id: Int64, write: ArticleWrite) {
        self.id = id
        self.write = write
    }
}

/// A story first seen in this fetch.
public struct NewStory: Sendable, Equatable {
    public var id: String
    public var published: Date?
    /// Near-duplicate fingerprint (FeedwatchDedup's SimHash/MinHash bytes).
    public var fingerprint: [UInt8]
    public var title: String?
    public var url: String?
    /// When it was first seen; nil means the commit's fetch time.
    public var firstSeen: Date?

    public init(id: String, published: Date?, fingerprint: [UInt8], title: String?, url: String?,
                firstSeen: Date? = nil) {
        self.id = id
        self.published = published
        self.fingerprint = fingerprint
        self.title = title
        self.url = url
        self.firstSeen = firstSeen
    }
}

/// A story that may absorb a new article (near-duplicate candidate).
public struct StoryCandidate: Sendable, Equatable {
    public var id: String
    public var fingerprint: [UInt8]
    public var published: Date?
    public var firstSeen: Date
    public var title: String?
    public var url: String?
    public var alertID: String?
}

/// All results of one feed fetch. `FeedStore.commit` writes it in one
/// transaction: either all of it is on disk, or none of it.
public struct FetchCommit: Sendable {
    /// The feed's new state (counters excepted, see `FeedState.itemsSeen`).
    public var feed: FeedState
    public var inserts: [ArticleWrite]
    public var updates: [ArticleUpdate]
    public var newStories: [NewStory]
    /// New alerts: each becomes an outbox row and its story's `alert_id`.
    /// A story holds at most one alert; a second one for the same story (or
    /// the same alert id again) is skipped, not stored and not counted.
    public var alerts: [Alert]

    public init(feed: FeedState, inserts: [ArticleWrite] = [], updates: [ArticleUpdate] = [],
                newStories: [NewStory] = [], alerts: [Alert] = []) {
        self.feed = feed
        self.inserts = inserts
        self.updates = updates
        self.newStories = newStories
        self.alerts = alerts
    }
}

/// What a commit actually changed. Items whose identity is already stored
/// (e.g. a feed repeating one GUID within a document) and alerts for an
/// already-alerted story are skipped, not errors.
public struct CommitResult: Sendable, Equatable {
    public var inserted: Int
    public var updated: Int
    public var alertsQueued: Int

    public init(inserted: Int, updated: Int, alertsQueued: Int) {
        self.inserted = inserted
        self.updated = updated
        self.alertsQueued = alertsQueued
    }
}

/// The two places an alert is delivered to; each is tracked separately in the outbox.
public enum AlertSink: String, Sendable, CaseIterable {
    case spool
    case log
}

/// One alert waiting in (or delivered from) the outbox.
public struct OutboxEntry: Sendable, Equatable {
    public var alertID: String
    public var storyID: String
    /// The full alert as JSON (`FeedStore.encodeAlert`: RFC 3339 dates,
    /// sorted keys, the contract's field names).
    public var payload: String
    public var created: Date
    /// Failed delivery attempts for the sink this entry was fetched for
    /// (`pendingOutbox`); from `outboxEntry(_:)`, both sinks added.
    public var attempts: Int
    public var spoolDelivered: Date?
    public var logDelivered: Date?

    public init(alertID: String, storyID: String, payload: String, created: Date, attempts: Int = 0,
                spoolDelivered: Date? = nil, logDelivered: Date? = nil) {
        self.alertID = alertID
        self.storyID = storyID
        self.payload = payload
        self.created = created
        self.attempts = attempts
        self.spoolDelivered = spoolDelivered
        self.logDelivered = logDelivered
    }

    /// The alert decoded from `payload`.
    public func alert() throws -> Alert {
        try FeedStore.decodeAlert(payload)
    }
}

/// Store failures, typed so callers can tell "try again later" (busy, disk
/// full) from "this database is unusable". Each names the database file.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or its directory cannot be opened/created.
    case cannotOpen(path: String, message: String)
    /// Another connection (maybe another process) held the lock longer than the busy timeout.
    case busy(path: String)
    /// SQLITE_FULL: the disk (or quota) is full. Nothing of the failed write was kept.
    case diskFull(path: String)
    /// The file is read-only for us.
    case readOnly(path: String)
    /// Not a database, or a damaged one.
    case corrupt(path: String, message: String)
    /// The schema has migrations this build does not know (written by a newer feedwatch).
    case schemaTooNew(path: String, unknownVersions: [String])
    /// Opened read-only, the database lacks migrations this build needs (the
    /// daemon, opening it read-write, migrates it).
    case schemaOutdated(path: String, missingVersions: [String])
    /// A write broke a constraint (e.g. an article names a story that does not exist).
    case constraint(path: String, message: String)
    /// An update names an article row that does not exist.
    case articleNotFound(path: String, id: Int64)
    /// Any other SQLite error, with its extended result code.
    case sqlite(path: String, code: Int32, message: String)
    /// A value could not be encoded/decoded (JSON payloads).
    case invalidData(path: String, message: String)

    public var path: String {
        switch self {
        case .cannotOpen(let p, _), .busy(let p), .diskFull(let p), .readOnly(let p),
             .corrupt(let p, _), .schemaTooNew(let p, _), .schemaOutdated(let p, _), .constraint(let p, _),
             .articleNotFound(let p, _), .sqlite(let p, _, _), .invalidData(let p, _):
            return p
        }
    }

    /// Worth retrying later as is (lock contention, disk space).
    public var isTransient: Bool {
        switch self {
        case .busy, .diskFull: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let p, let m): return "\(p): cannot open database: \(m)"
        case .busy(let p): return "\(p): database is locked by another connection (busy timeout expired)"
        case .diskFull(let p): return "\(p): disk full"
        case .readOnly(let p): return "\(p): database is read-only"
        case .corrupt(let p, let m): return "\(p): database is damaged: \(m)"
        case .schemaTooNew(let p, let v):
            return "\(p): database schema is newer than this feedwatch (unknown migrations: \(v.joined(separator: ", ")))"
        case .schemaOutdated(let p, let v):
            return "\(p): database schema is older than this feedwatch (missing migrations: \(v.joined(separator: ", ")); run the daemon once to migrate)"
        case .constraint(let p, let m): return "\(p): constraint violated: \(m)"
        case .articleNotFound(let p, let id): return "\(p): article \(id) not found"
        case .sqlite(let p, let c, let m): return "\(p): SQLite error \(c): \(m)"
        case .invalidData(let p, let m): return "\(p): invalid data: \(m)"
        }
    }
}
