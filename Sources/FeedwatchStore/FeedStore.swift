import FeedwatchCore
import Foundation
import GRDB

/// The store as the pipeline and the daemon see it. `FeedStore` (SQLite) is
/// the one implementation today; a PostgreSQL backend for multi-instance
/// deployments would implement the same protocol.
public protocol StateStore: Sendable {
    func syncFeeds(_ configured: [(url: String, name: String?)]) throws
    func feedState(_ configuredURL: String) throws -> FeedState?
    func allFeedStates(includeInactive: Bool) throws -> [FeedState]
    func knownArticles(feedURL: String, identities: [String]) throws -> [String: KnownArticle]
    func knownCanonicalURLs(_ urls: [String]) throws -> [String: String]
    func recentStories(since: Date) throws -> [(id: String, fingerprint: [UInt8])]
    func recentStoryCandidates(since: Date) throws -> [StoryCandidate]
    func storySources(_ storyID: String) throws -> [AlertSource]
    @discardableResult func commit(_ c: FetchCommit) throws -> CommitResult
    @discardableResult func commit(batch: [FetchCommit], sync: Bool) throws -> [CommitResult]
    func updateFeedState(_ s: FeedState) throws
    func updateFeedStates(_ states: [FeedState]) throws
    func pendingOutbox(for sink: AlertSink, limit: Int) throws -> [OutboxEntry]
    func outboxEntry(_ alertID: String) throws -> OutboxEntry?
    func alertCount(since: Date) throws -> Int
    @discardableResult func markDelivered(_ alertIDs: [String], sink: AlertSink, at: Date) throws -> Int
    func recordDeliveryFailure(_ alertID: String, sink: AlertSink, error: String) throws
    func prune(bodiesOlderThan: Date) throws -> Int
    func ping() throws
    func integrityCheck() throws -> String
}

extension StateStore {
    /// The configured (active) feeds, in the order they were first configured.
    public func allFeedStates() throws -> [FeedState] {
        try allFeedStates(includeInactive: false)
    }
}

/// feedwatch's state in one SQLite file (WAL mode) under `state_dir`.
///
/// Durability: the writer runs with `PRAGMA synchronous = FULL`. In WAL mode
/// NORMAL only syncs at checkpoints, so a power loss can roll back the last
/// commits (https://www.sqlite.org/pragma.html#pragma_synchronous). For the
/// outbox that would mean a delivered alert forgotten as delivered (delivered
/// again, duplicated in the log) or "already seen" articles forgotten. FULL
/// costs one fsync of the WAL per transaction, which is why one feed fetch is
/// one transaction, and why `commit(batch:)` exists: fetches that complete
/// together can share one transaction (group commit).
///
/// All methods are synchronous and may block (an fsync; up to the busy
/// timeout under lock contention): async callers should run them off the
/// cooperative pool (DESIGN.md rule 6).
///
/// Concurrency: a `DatabasePool` (one writer, a few readers that never block
/// it). Another process holding the write lock makes writes wait up to the
/// busy timeout and then fail with `StoreError.busy`; all write transactions
/// are `BEGIN IMMEDIATE` (GRDB's default for writes) so the busy handler
/// applies and no read-to-write upgrade can fail with SQLITE_BUSY_SNAPSHOT.
public final class FeedStore: StateStore {
    public let path: String
    private let pool: DatabasePool
    private let durability: Durability

    /// Rows handled per transaction by `prune`, so the sweep never holds the
    /// write lock for long.
    static let pruneChunk = 5_000

    /// Page size of a database this store creates (see `init`).
    public static let pageSize = 8192

    /// How commits reach the disk.
    public enum Durability: String, Sendable {
        /// `synchronous=FULL`: every commit fsyncs the WAL. The default and
        /// the only setting for real use.
        case full
        /// `synchronous=NORMAL`: survives a process crash but a power loss can
        /// roll back the last commits. Only for benchmarks (to separate CPU
        /// cost from fsync latency) and throwaway test databases.
        case normal
    }

    /// Opens (creating if needed) the database at `path` and migrates it to
    /// the latest schema. The directory must exist. Writes wait up to
    /// `busyTimeout` seconds for a lock held elsewhere, then throw `StoreError.busy`.
    ///
    /// `readOnly`: for `feedwatch status` and other tools next to a running
    /// daemon — nothing is created, migrated or written (writes throw
    /// `StoreError.readOnly`); the file must exist with the current schema.
    public init(path: String, busyTimeout: TimeInterval = 5, durability: Durability = .full,
                readOnly: Bool = false) throws {
        self.path = path
        self.durability = durability
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(busyTimeout)
        // The daemon reads little in parallel (status, the watchdog ping);
        // each reader is a connection with its own page cache.
        config.maximumReaderCount = 2
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // 8 MiB of page cache per connection (SQLite's default is 2 MiB):
            // keeps the upper levels of the article indexes hot at 10^6 rows.
            try db.execute(sql: "PRAGMA cache_size = -8192")
            // 8 KiB pages for a new database (it only takes effect before the
            // file's first write; an existing database keeps its page size —
            // https://www.sqlite.org/pragma.html#pragma_page_size). Most of
            // what the store writes is article text of 1–10 KB: half as many
            // WAL frames (one pwrite each) and fewer overflow pages. Measured
            // on the 1,000-feed cold pass, 10 alternating runs: 1.148 s
            // against 1.179 s median wall, 1.91 against 1.94 s CPU; 8 MB more
            // peak RSS (same cache_size in KiB). 16 KiB pages were no faster
            // and cost 24 MB.
            if !readOnly { try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)") }
        }
        do {
            if readOnly {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw StoreError.cannotOpen(path: path, message: "no such database")
                }
                pool = try DatabasePool(path: path, configuration: config)
                let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
                let unknown = applied.subtracting(Schema.versions)
                if !unknown.isEmpty {
                    throw StoreError.schemaTooNew(path: path, unknownVersions: unknown.sorted())
                }
                let missing = Schema.versions.filter { !applied.contains($0) }
                if !missing.isEmpty {
                    throw StoreError.schemaOutdated(path: path, missingVersions: missing)
                }
                return
            }
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in
                // GRDB's WAL setup sets synchronous=NORMAL on the writer after
                // prepareDatabase ran; FULL must be set afterwards (see type doc).
                try db.execute(sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                // Truncate the WAL after checkpoints instead of leaving it at
                // its high-water mark (https://www.sqlite.org/pragma.html#pragma_journal_size_limit).
                try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
            }
            let migrator = Schema.migrator
            let unknown = try pool.read { db in
                try migrator.appliedIdentifiers(db).subtracting(Schema.versions)
            }
            if !unknown.isEmpty {
                throw StoreError.schemaTooNew(path: path, unknownVersions: unknown.sorted())
            }
            try migrator.migrate(pool)
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    /// Closes all connections. Further calls fail.
    public func close() throws {
        try run { try pool.close() }
    }

    // MARK: - Schema (for tests and tooling)

    /// Every schema version, oldest first; the last one is current.
    public static var schemaVersions: [String] { Schema.versions }

    /// Brings a new (or older) database at `path` to schema `version` exactly
    /// (tests build old-version databases with it; feedwatch itself always
    /// opens with `init`). A database already past `version` is refused.
    public static func createDatabase(path: String, upTo version: String) throws {
        do {
            let queue = try DatabaseQueue(path: path)
            let applied = try queue.read { db in try Schema.migrator.appliedMigrations(db) }
            guard let target = Schema.versions.firstIndex(of: version),
                  applied.allSatisfy({ (Schema.versions.firstIndex(of: $0) ?? .max) <= target }) else {
                throw StoreError.schemaTooNew(path: path, unknownVersions: [version])
            }
            try Schema.migrator.migrate(queue, upTo: version)
            try queue.close()
        } catch {
            throw mapError(error, path: path)
        }
    }

    /// Runs raw SQL on the database at `path` outside any `FeedStore` (tests
    /// write old-schema rows with it).
    public static func execute(path: String, sql: String) throws {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
            try queue.close()
        } catch {
            throw mapError(error, path: path)
        }
    }

    /// The writer connection's journal mode and `synchronous` level (2 = FULL).
    public func durabilitySettings() throws -> (journalMode: String, synchronous: Int) {
        try run {
            try pool.writeWithoutTransaction { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                 try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
            }
        }
    }

    /// The migrations applied to this database, in order.
    public func appliedSchemaVersions() throws -> [String] {
        try run { try pool.read { db in try Schema.migrator.appliedMigrations(db) } }
    }

    /// The query plan SQLite picks for `sql` (tests check that hot paths are indexed).
    public func queryPlan(_ sql: String, arguments: [(any DatabaseValueConvertible)?] = []) throws -> [String] {
        try run {
            try pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql,
                                 arguments: StatementArguments(arguments.map { $0?.databaseValue ?? .null }))
                    .map { $0["detail"] as String? ?? "" }
            }
        }
    }

    /// Runs `sql` and returns the first column of each row as text (tests and debugging).
    public func rawQuery(_ sql: String) throws -> [String?] {
        try run {
            try pool.read { db in
                try Row.fetchAll(db, sql: sql).map { row -> String? in
                    switch (row[0] as DatabaseValue).storage {
                    case .null: return nil
                    case .int64(let i): return String(i)
                    case .double(let d): return String(d)
                    case .string(let s): return s
                    case .blob(let b): return b.map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
        }
    }

    // MARK: - Feeds

    private static let feedColumns = """
        configured_url, current_url, name, etag, last_modified, body_hash, last_fetch, last_status,
        consecutive_errors, next_due, retry_after_until, gone, last_error, items_seen, alerts,
        first_fetch_done, hints
        """

    private static func feedState(_ row: Row) -> FeedState {
        FeedState(
            configuredURL: row[0], currentURL: row[1], name: row[2], etag: row[3],
            lastModified: row[4], bodyHash: row[5], lastFetch: date(row[6]), lastStatus: row[7],
            consecutiveErrors: row[8], nextDue: date(row[9]), retryAfterUntil: date(row[10]),
            gone: row[11], lastError: row[12], itemsSeen: row[13], alerts: row[14],
            firstFetchDone: row[15], hintsJSON: row[16])
    }

    /// Adds configured feeds not yet known (state `new`), refreshes the names
    /// of known ones, and marks feeds no longer configured inactive: their
    /// rows and articles stay (a feed removed and added back does not
    /// re-alert its backlog) but `allFeedStates()` no longer lists them.
    public func syncFeeds(_ configured: [(url: String, name: String?)]) throws {
        try run {
            try pool.write { db in
                let now = millis(Date())
                try db.execute(sql: "UPDATE feed SET active = 0 WHERE active = 1")
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO feed (configured_url, current_url, name, created_at, active)
                    VALUES (?, ?, ?, ?, 1)
                    ON CONFLICT(configured_url) DO UPDATE SET name = excluded.name, active = 1
                    """)
                for feed in configured {
                    try upsert.execute(arguments: [feed.url, feed.url, feed.name, now])
                }
            }
        }
    }

    public func feedState(_ configuredURL: String) throws -> FeedState? {
        try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: "SELECT \(Self.feedColumns) FROM feed WHERE configured_url = ?")
                return try Row.fetchOne(stmt, arguments: [configuredURL]).map(Self.feedState)
            }
        }
    }

    /// The states of the given feeds that exist, keyed by configured URL: one
    /// indexed statement for a whole batch of polls instead of one read each.
    public func feedStates(_ configuredURLs: [String]) throws -> [String: FeedState] {
        guard !configuredURLs.isEmpty else { return [:] }
        let list = try jsonArray(configuredURLs)
        return try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT \(Self.feedColumns) FROM feed
                    WHERE configured_url IN (SELECT value FROM json_each(?))
                    """)
                var found: [String: FeedState] = [:]
                found.reserveCapacity(configuredURLs.count)
                let rows = try Row.fetchCursor(stmt, arguments: [list])
                while let row = try rows.next() {
                    let state = Self.feedState(row)
                    found[state.configuredURL] = state
                }
                return found
            }
        }
    }

    /// The configured feeds (and, with `includeInactive`, removed ones too), in
    /// the order they were first configured.
    public func allFeedStates(includeInactive: Bool) throws -> [FeedState] {
        try run {
            try pool.read { db in
                let filter = includeInactive ? "" : "WHERE active = 1"
                return try Row.fetchAll(db, sql: "SELECT \(Self.feedColumns) FROM feed \(filter) ORDER BY id")
                    .map(Self.feedState)
            }
        }
    }

    /// Writes a feed's scheduler state (error, 304, unchanged-body paths):
    /// one indexed upsert on the small feed table, whatever the article count.
    /// The counters (`itemsSeen`, `alerts`) are not written.
    public func updateFeedState(_ s: FeedState) throws {
        try run { try pool.write { db in _ = try Self.upsertFeed(db, s) } }
    }

    /// Several feeds' states in one transaction (one fsync for a batch of 304s).
    public func updateFeedStates(_ states: [FeedState]) throws {
        guard !states.isEmpty else { return }
        try run { try pool.write { db in for s in states { _ = try Self.upsertFeed(db, s) } } }
    }

    /// Returns the feed's row id. Inserts the feed if it was never synced.
    private static func upsertFeed(_ db: Database, _ s: FeedState) throws -> Int64 {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO feed (configured_url, current_url, name, etag, last_modified, body_hash,
                              last_fetch, last_status, consecutive_errors, next_due, retry_after_until,
                              gone, last_error, first_fetch_done, hints, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(configured_url) DO UPDATE SET
                current_url = excluded.current_url, name = COALESCE(excluded.name, feed.name), etag = excluded.etag,
                last_modified = excluded.last_modified, body_hash = excluded.body_hash,
                last_fetch = excluded.last_fetch, last_status = excluded.last_status,
                consecutive_errors = excluded.consecutive_errors, next_due = excluded.next_due,
                retry_after_until = excluded.retry_after_until, gone = excluded.gone,
                last_error = excluded.last_error, first_fetch_done = excluded.first_fetch_done,
                hints = excluded.hints
            RETURNING id
            """)
        let args: StatementArguments = [
            s.configuredURL, s.currentURL, s.name, s.etag, s.lastModified, s.bodyHash,
            ms(s.lastFetch), s.lastStatus, s.consecutiveErrors, ms(s.nextDue), ms(s.retryAfterUntil),
            s.gone, s.lastError, s.firstFetchDone, s.hintsJSON, millis(Date()),
        ]
        guard let id = try Int64.fetchOne(stmt, arguments: args) else {
            throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "feed upsert returned no id")
        }
        return id
    }

    // MARK: - Articles and stories

    /// The stored articles of `feedURL` among `identities`, keyed by identity.
    /// One indexed statement for the whole batch (the identities travel as
    /// one JSON array bound to a cached statement), not one query per item.
    public func knownArticles(feedURL: String, identities: [String]) throws -> [String: KnownArticle] {
        guard !identities.isEmpty else { return [:] }
        let list = try jsonArray(identities)
        return try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT id, identity, content_hash, alerted, story_id, score, pruned FROM article
                    WHERE feed_id = (SELECT id FROM feed WHERE configured_url = ?)
                      AND identity IN (SELECT value FROM json_each(?))
                    """)
                var known: [String: KnownArticle] = [:]
                known.reserveCapacity(identities.count)
                let rows = try Row.fetchCursor(stmt, arguments: [feedURL, list])
                while let row = try rows.next() {
                    let a = KnownArticle(id: row[0], identity: row[1], contentHash: row[2], alerted: row[3],
                                         storyID: row[4], score: row[5], pruned: row[6])
                    known[a.identity] = a
                }
                return known
            }
        }
    }

    /// Canonical URL → story id, for URLs some stored article (any feed)
    /// already has and that belong to a story: the cross-feed exact duplicate
    /// check. When several stories carry the URL, the oldest article's wins.
    public func knownCanonicalURLs(_ urls: [String]) throws -> [String: String] {
        guard !urls.isEmpty else { return [:] }
        let list = try jsonArray(urls)
        return try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT canonical_url, story_id FROM article
                    WHERE canonical_url IN (SELECT value FROM json_each(?)) AND story_id IS NOT NULL
                    ORDER BY id
                    """)
                var found: [String: String] = [:]
                let rows = try Row.fetchCursor(stmt, arguments: [list])
                while let row = try rows.next() {
                    let url: String = row[0]
                    if found[url] == nil { found[url] = row[1] }
                }
                return found
            }
        }
    }

    /// Stories first seen at or after `since` (the grouping window), oldest first.
    public func recentStories(since: Date) throws -> [(id: String, fingerprint: [UInt8])] {
        try recentStoryCandidates(since: since).map { ($0.id, $0.fingerprint) }
    }

    public func recentStoryCandidates(since: Date) throws -> [StoryCandidate] {
        try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT id, fingerprint, published, first_seen, title, url, alert_id FROM story
                    WHERE first_seen >= ? ORDER BY first_seen, id
                    """)
                return try Row.fetchAll(stmt, arguments: [millis(since)]).map { row in
                    let data: Data = row[1]
                    return StoryCandidate(id: row[0], fingerprint: [UInt8](data), published: date(row[2]),
                                          firstSeen: date(row[3] as Int64), title: row[4], url: row[5],
                                          alertID: row[6])
                }
            }
        }
    }

    /// The stored articles of a story (feed display name, link, title), in
    /// the order they were first seen — the alert's `sources`.
    public func storySources(_ storyID: String) throws -> [AlertSource] {
        try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT COALESCE(f.name, f.display_name, f.current_url), COALESCE(a.link, a.canonical_url), a.title
                    FROM article a JOIN feed f ON f.id = a.feed_id
                    WHERE a.story_id = ? ORDER BY a.fetched, a.id
                    """)
                return try Row.fetchAll(stmt, arguments: [storyID]).map {
                    AlertSource(feed: $0[0], url: $0[1], title: $0[2])
                }
            }
        }
    }

    /// Writes all results of one feed fetch in ONE transaction: the feed's
    /// new state, new and updated articles, new stories, and the alerts
    /// (outbox rows + their story's `alert_id`). If any part fails, nothing
    /// is written and the error is thrown.
    ///
    /// Skipped without error: inserts whose identity the feed already has
    /// (a document repeating a GUID), stories already stored, and alerts
    /// whose id or story already has an outbox row (one alert per story).
    /// `items_seen` and `alerts` grow by what was actually inserted.
    @discardableResult
    public func commit(_ c: FetchCommit) throws -> CommitResult {
        let prepared = try prepare(c)
        return try run { try pool.write { db in try apply(prepared, db) } }
    }

    /// Group commit: several feeds' fetch results in ONE transaction, so one
    /// fsync (see the type doc: synchronous=FULL) covers them all. Each
    /// commit keeps its own semantics; if any fails, none is written. The
    /// spine can use it to flush fetches that completed together.
    ///
    /// `sync: false` commits without the fsync (`synchronous=NORMAL` for this
    /// one transaction): it survives a crash of the process, and the next
    /// synced commit makes it durable too, but a power cut before that rolls
    /// it back. Only for feed states whose loss costs nothing — a 304 changes
    /// no validator and carries no article or alert; losing it means one feed
    /// is polled a little early. Saves one fsync per batch of 304s.
    @discardableResult
    public func commit(batch: [FetchCommit], sync: Bool = true) throws -> [CommitResult] {
        guard !batch.isEmpty else { return [] }
        let prepared = try batch.map { try prepare($0) }
        if sync || durability == .normal {
            return try run { try pool.write { db in try prepared.map { try apply($0, db) } } }
        }
        precondition(batch.allSatisfy { $0.inserts.isEmpty && $0.updates.isEmpty && $0.newStories.isEmpty && $0.alerts.isEmpty },
                     "only feed states may skip the fsync")
        return try run {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                var results: [CommitResult] = []
                try db.inTransaction(.immediate) {
                    results = try prepared.map { try apply($0, db) }
                    return .commit
                }
                return results
            }
        }
    }

    /// A commit with its JSON encoded up front, outside the write lock.
    private struct PreparedCommit {
        var c: FetchCommit
        var fetchTime: Date
        var payloads: [String]
        var insertMatches: [String?]
        var updateMatches: [String?]
        var displayName: String?
    }

    private func prepare(_ c: FetchCommit) throws -> PreparedCommit {
        PreparedCommit(c: c, fetchTime: c.feed.lastFetch ?? Date(),
                       payloads: try c.alerts.map { try Self.encodeAlert($0) },
                       // By index: `map` would copy every write out of the array.
                       insertMatches: try c.inserts.indices.map { try matchesJSON(c.inserts[$0].score) },
                       updateMatches: try c.updates.indices.map { try matchesJSON(c.updates[$0].write.score) },
                       displayName: (c.inserts.last ?? c.updates.last?.write)?.article.feedName)
    }

    /// Writes one prepared commit inside the caller's transaction.
    private func apply(_ p: PreparedCommit, _ db: Database) throws -> CommitResult {
        let c = p.c
        let (fetchTime, payloads, insertMatches, updateMatches, displayName) =
            (p.fetchTime, p.payloads, p.insertMatches, p.updateMatches, p.displayName)
        let feedID = try Self.upsertFeed(db, c.feed)

        // Stories first: articles and outbox rows reference them.
        if !c.newStories.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO story (id, first_seen, published, fingerprint, title, url)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                """)
            for s in c.newStories {
                // Data(bytes:count:), not Data(s.fingerprint): LeakSanitizer saw the
                // generic Sequence initializer's specialization leak one 65-byte
                // __DataStorage per new story here.
                let blob = s.fingerprint.withUnsafeBytes { raw in
                    raw.baseAddress.map { Data(bytes: $0, count: raw.count) } ?? Data()
                }
                try stmt.execute(arguments: [s.id, millis(s.firstSeen ?? fetchTime), ms(s.published),
                                             blob, s.title, s.url])
            }
            // A cached statement keeps its last arguments (GRDB's
            // `Statement.arguments`) for the life of the connection; SQLite
            // has its own copy (SQLITE_TRANSIENT). Dropping them frees the
            // last fingerprint's Data now: LeakSanitizer once reported one
            // such object at exit, most likely this one (not reproduced
            // since, before or after this line).
            stmt.setUncheckedArguments([])
        }

        var inserted = 0
        if !c.inserts.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO article (feed_id, identity, canonical_url, link, title, published,
                                     updated, fetched, content_hash, score, threshold, matches,
                                     alerted, story_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(feed_id, identity) DO NOTHING
                """)
            let body = try db.cachedStatement(sql: "INSERT INTO article_body (article_id, text) VALUES (?, ?)")
            // Writes are read in place (`buf[i]` borrows): `for w in inserts`
            // copied each ArticleWrite out, a retain and a release of each of
            // its dozen strings per article on the serial commit path.
            try c.inserts.withUnsafeBufferPointer { buf in
                for i in buf.indices {
                    try stmt.execute(arguments: Self.articleArguments(buf[i], matches: insertMatches[i],
                                                                      head: [feedID, buf[i].article.identity],
                                                                      fetched: millis(buf[i].article.fetched)))
                    guard db.changesCount == 1 else { continue }
                    inserted += 1
                    if !buf[i].article.text.isEmpty {
                        try body.execute(arguments: [db.lastInsertedRowID, buf[i].article.text])
                    }
                }
            }
        }

        var updated = 0
        if !c.updates.isEmpty {
            // alerted = MAX(...): an alerted article stays alerted (never
            // alerts twice); story_id = COALESCE(...): nil keeps the story.
            let stmt = try db.cachedStatement(sql: """
                UPDATE article SET canonical_url = ?, link = ?, title = ?, published = ?,
                    updated = ?, content_hash = ?, score = ?, threshold = ?, matches = ?,
                    alerted = MAX(alerted, ?), story_id = COALESCE(?, story_id), pruned = 0
                WHERE id = ? AND feed_id = ?
                """)
            let body = try db.cachedStatement(sql: """
                INSERT INTO article_body (article_id, text) VALUES (?, ?)
                ON CONFLICT(article_id) DO UPDATE SET text = excluded.text
                """)
            let noBody = try db.cachedStatement(sql: "DELETE FROM article_body WHERE article_id = ?")
            for (i, u) in c.updates.enumerated() {
                var args = Self.articleArguments(u.write, matches: updateMatches[i], head: [], fetched: nil)
                args += [u.id, feedID]
                try stmt.execute(arguments: args)
                guard db.changesCount == 1 else { throw StoreError.articleNotFound(path: path, id: u.id) }
                updated += 1
                if u.write.article.text.isEmpty {
                    try noBody.execute(arguments: [u.id])
                } else {
                    try body.execute(arguments: [u.id, u.write.article.text])
                }
            }
        }

        var queued = 0
        if !c.alerts.isEmpty {
            let outbox = try db.cachedStatement(sql: """
                INSERT INTO outbox (alert_id, story_id, created, payload) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """)
            let story = try db.cachedStatement(sql: "UPDATE story SET alert_id = ? WHERE id = ? AND alert_id IS NULL")
            for (i, a) in c.alerts.enumerated() {
                try outbox.execute(arguments: [a.id, a.storyID, millis(fetchTime), payloads[i]])
                guard db.changesCount == 1 else { continue }
                queued += 1
                try story.execute(arguments: [a.id, a.storyID])
            }
        }

        if inserted > 0 || queued > 0 || displayName != nil {
            let stmt = try db.cachedStatement(sql: """
                UPDATE feed SET items_seen = items_seen + ?, alerts = alerts + ?,
                                display_name = COALESCE(?, display_name)
                WHERE id = ?
                """)
            try stmt.execute(arguments: [inserted, queued, displayName, feedID])
        }
        return CommitResult(inserted: inserted, updated: updated, alertsQueued: queued)
    }

    /// Column values shared by the article INSERT and UPDATE (after `head`).
    /// The text goes to `article_body` (see Schema v3).
    private static func articleArguments(_ w: ArticleWrite, matches: String?, head: StatementArguments,
                                         fetched: Int64?) -> StatementArguments {
        // The link is stored only when it differs from the canonical URL:
        // usually they are equal and the URL is the largest field of a tombstone.
        // (Fields read through `w.article`, not a copy of the whole article.)
        let link = w.article.link == w.article.canonicalURL ? nil : w.article.link
        var args = head
        args += [w.article.canonicalURL, link, w.article.title, ms(w.article.published), ms(w.article.updated)]
        if let fetched { args += [fetched] }
        args += [w.contentHash, w.score?.value, w.score?.threshold, matches, w.alerted, w.storyID]
        return args
    }

    // MARK: - Outbox

    /// Alerts not yet durably delivered to `sink`, oldest first.
    public func pendingOutbox(for sink: AlertSink, limit: Int) throws -> [OutboxEntry] {
        let s = sink.rawValue
        return try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT alert_id, story_id, payload, created, \(s)_attempts, spool_delivered, log_delivered
                    FROM outbox WHERE \(s)_delivered IS NULL ORDER BY created, alert_id LIMIT ?
                    """)
                return try Row.fetchAll(stmt, arguments: [limit]).map(Self.outboxEntry)
            }
        }
    }

    /// One outbox row whatever its delivery state (reconciling the alert log with the outbox).
    public func outboxEntry(_ alertID: String) throws -> OutboxEntry? {
        try run {
            try pool.read { db in
                let stmt = try db.cachedStatement(sql: """
                    SELECT alert_id, story_id, payload, created, spool_attempts + log_attempts,
                           spool_delivered, log_delivered
                    FROM outbox WHERE alert_id = ?
                    """)
                return try Row.fetchOne(stmt, arguments: [alertID]).map(Self.outboxEntry)
            }
        }
    }

    private static func outboxEntry(_ row: Row) -> OutboxEntry {
        OutboxEntry(alertID: row[0], storyID: row[1], payload: row[2], created: date(row[3] as Int64),
                    attempts: row[4], spoolDelivered: date(row[5]), logDelivered: date(row[6]))
    }

    /// Alerts queued at or after `since` (the "alerts today" of sd_notify STATUS=).
    public func alertCount(since: Date) throws -> Int {
        try run {
            try pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE created >= ?", arguments: [millis(since)]) ?? 0
            }
        }
    }

    /// Marks alerts delivered to `sink`. Call only once the write is durable
    /// (spool file renamed and directory fsynced; log line fsynced). Already
    /// marked ones keep their first time. Returns how many rows changed.
    @discardableResult
    public func markDelivered(_ alertIDs: [String], sink: AlertSink, at: Date) throws -> Int {
        guard !alertIDs.isEmpty else { return 0 }
        let s = sink.rawValue
        let list = try jsonArray(alertIDs)
        return try run {
            try pool.write { db in
                let stmt = try db.cachedStatement(sql: """
                    UPDATE outbox SET \(s)_delivered = ?, \(s)_error = NULL
                    WHERE alert_id IN (SELECT value FROM json_each(?)) AND \(s)_delivered IS NULL
                    """)
                try stmt.execute(arguments: [millis(at), list])
                return db.changesCount
            }
        }
    }

    /// Records a failed delivery (disk full, unwritable spool …): the alert
    /// stays pending for that sink and is retried; nothing is dropped.
    public func recordDeliveryFailure(_ alertID: String, sink: AlertSink, error: String) throws {
        let s = sink.rawValue
        try run {
            try pool.write { db in
                let stmt = try db.cachedStatement(sql: """
                    UPDATE outbox SET \(s)_attempts = \(s)_attempts + 1, \(s)_error = ? WHERE alert_id = ?
                    """)
                try stmt.execute(arguments: [error, alertID])
            }
        }
    }

    // MARK: - Retention and health

    /// Removes the bodies (text) of articles first seen before `cutoff`
    /// (deleting their `article_body` rows frees whole pages for reuse). The
    /// rows stay as tombstones — identity, canonical URL, title, story, alert
    /// flag — so a pruned item seen again is still known and never re-alerts.
    /// Works in chunks of `pruneChunk` rows per transaction so fetch commits
    /// are not held up. Returns the number of articles pruned.
    public func prune(bodiesOlderThan cutoff: Date) throws -> Int {
        var total = 0
        while true {
            let n: Int = try run {
                try pool.write { db in
                    let mark = try db.cachedStatement(sql: """
                        UPDATE article SET pruned = 1
                        WHERE id IN (SELECT id FROM article WHERE pruned = 0 AND fetched < ? LIMIT ?)
                        RETURNING id
                        """)
                    let ids = try Int64.fetchAll(mark, arguments: [millis(cutoff), Self.pruneChunk])
                    guard !ids.isEmpty else { return 0 }
                    let drop = try db.cachedStatement(sql: """
                        DELETE FROM article_body WHERE article_id IN (SELECT value FROM json_each(?))
                        """)
                    try drop.execute(arguments: [try jsonString(ids)])
                    return ids.count
                }
            }
            total += n
            if n < Self.pruneChunk { return total }
        }
    }

    /// A cheap read that proves the database answers (for the systemd watchdog).
    public func ping() throws {
        try run { try pool.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM feed LIMIT 1)") } }
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's list of problems, one per line.
    public func integrityCheck() throws -> String {
        try run { try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n") } }
    }

    /// Counts for status/benchmarks: (articles, pruned articles, stories, outbox rows).
    public func counts() throws -> (articles: Int, pruned: Int, stories: Int, outbox: Int) {
        try run {
            try pool.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT (SELECT count(*) FROM article), (SELECT count(*) FROM article WHERE pruned = 1),
                           (SELECT count(*) FROM story), (SELECT count(*) FROM outbox)
                    """)!
                return (row[0], row[1], row[2], row[3])
            }
        }
    }

    /// Moves the WAL into the main file and truncates it (after bulk work; tools).
    public func checkpoint() throws {
        _ = try run { try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) } }
    }

    // MARK: - Alert payload format

    /// The outbox payload: the full alert as JSON with the contract's field
    /// names (CONTRACT.md "Alert spool and alert log"), RFC 3339 UTC dates and
    /// sorted keys, so the same alert always serializes to the same bytes.
    public static func encodeAlert(_ alert: Alert) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(alert), as: UTF8.self)
        } catch {
            throw StoreError.invalidData(path: "", message: "alert \(alert.id): \(error)")
        }
    }

    public static func decodeAlert(_ payload: String) throws -> Alert {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Alert.self, from: Data(payload.utf8))
        } catch {
            throw StoreError.invalidData(path: "", message: "alert payload: \(error)")
        }
    }

    // MARK: - Helpers

    /// Stored form of matched terms: without word positions (they are for
    /// `--explain`, not worth their bytes in every stored article).
    private struct StoredMatch: Codable {
        var term: String
        var group: String
        var weight: Double
        var count: Int
    }

    private func matchesJSON(_ score: Score?) throws -> String? {
        guard let matches = score?.matches, !matches.isEmpty else { return nil }
        // Written by hand: JSONEncoder was 6% of a cold pass, on the serial
        // commit path. Read back with JSONDecoder as [StoredMatch]. Appended
        // in place, fields read by index (copying a TermMatch out of the
        // array retains its three buffers): `+` chains were 2.4% of a pass.
        var out = ""
        out.reserveCapacity(matches.count * 72)
        out.append("[")
        for i in matches.indices {
            if i > 0 { out.append(",") }
            out.append("{\"term\":")
            JSONText.appendQuoted(matches[i].term, to: &out)
            out.append(",\"group\":")
            JSONText.appendQuoted(matches[i].group, to: &out)
            out.append(",\"weight\":")
            out.append(JSONText.number(matches[i].weight))
            out.append(",\"count\":")
            out.append(String(matches[i].count))
            out.append("}")
        }
        out.append("]")
        return out
    }

    /// The matched terms stored for an article (tests, `status` details).
    public func storedMatches(articleID: Int64) throws -> [TermMatch] {
        let json: String? = try run {
            try pool.read { db in try String.fetchOne(db, sql: "SELECT matches FROM article WHERE id = ?", arguments: [articleID]) }
        }
        guard let json else { return [] }
        do {
            return try JSONDecoder().decode([StoredMatch].self, from: Data(json.utf8))
                .map { TermMatch(term: $0.term, group: $0.group, weight: $0.weight, count: $0.count) }
        } catch {
            throw StoreError.invalidData(path: path, message: "matches of article \(articleID): \(error)")
        }
    }

    /// The stored text of an article; nil once pruned (or if it had none).
    public func articleText(id: Int64) throws -> String? {
        try run {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT text FROM article_body WHERE article_id = ?", arguments: [id])
            }
        }
    }

    private func jsonArray(_ strings: [String]) throws -> String {
        JSONText.array(strings)
    }

    private func jsonString<T: Encodable>(_ value: T) throws -> String {
        do {
            return String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        } catch {
            throw StoreError.invalidData(path: path, message: "\(error)")
        }
    }

    /// Runs a database operation, turning GRDB errors into `StoreError`.
    private func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    static func mapError(_ error: any Error, path: String) -> any Error {
        if let e = error as? StoreError {
            if case .invalidData(let p, let m) = e, p.isEmpty { return StoreError.invalidData(path: path, message: m) }
            return e
        }
        guard let e = error as? DatabaseError else { return error }
        let message = e.message ?? "\(e)"
        // Primary result codes, https://www.sqlite.org/rescode.html
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.busy(path: path)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError.corrupt(path: path, message: message)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return StoreError.cannotOpen(path: path, message: message)
        case .SQLITE_CONSTRAINT: return StoreError.constraint(path: path, message: message)
        default: return StoreError.sqlite(path: path, code: e.extendedResultCode.rawValue, message: message)
        }
    }
}

// MARK: - Time columns: INTEGER milliseconds since the Unix epoch (see Schema).

@inline(__always)
func millis(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}

@inline(__always)
func ms(_ date: Date?) -> Int64? {
    date.map { millis($0) }
}

@inline(__always)
func date(_ ms: Int64) -> Date {
    Date(timeIntervalSince1970: Double(ms) / 1000)
}

@inline(__always)
func date(_ ms: Int64?) -> Date? {
    ms.map { date($0) }
}
