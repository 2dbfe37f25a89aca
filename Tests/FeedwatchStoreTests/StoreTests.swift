import FeedwatchCore
import FeedwatchStore
import Foundation
import Testing

@Suite struct MigrationTests {
    @Test func emptyDatabaseMigratesToLatest() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        #expect(try store.appliedSchemaVersions() == FeedStore.schemaVersions)
        #expect(FeedStore.schemaVersions.count >= 2)
        let tables = try store.rawQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for t in ["article", "article_body", "feed", "outbox", "story"] { #expect(tables.contains(t)) }
        // v2 columns exist.
        let articleSQL = try store.rawQuery("SELECT sql FROM sqlite_master WHERE name = 'article'")
        #expect(articleSQL.first??.contains("pruned") == true)          // v2
        #expect(articleSQL.first??.contains(" text ") == false)         // v3 moved it to article_body
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func walAndFullSynchronousOnTheWriter() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        let d = try store.durabilitySettings()
        #expect(d.journalMode == "wal")
        #expect(d.synchronous == 2) // FULL, not GRDB's WAL default NORMAL (1)
    }

    /// A new database gets 8 KiB pages; one created with SQLite's default
    /// 4 KiB pages (as feedwatch did before) keeps them and still works.
    @Test func newDatabasesUseLargerPagesOldOnesKeepTheirs() throws {
        let dir = try TempDir()
        let fresh = try FeedStore(path: dir.dbPath)
        #expect(try fresh.rawQuery("PRAGMA page_size") == [String(FeedStore.pageSize)])
        #expect(FeedStore.pageSize == 8192)

        let old = try TempDir()
        try FeedStore.execute(path: old.dbPath, sql: "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t(x)")
        let store = try FeedStore(path: old.dbPath)
        #expect(try store.rawQuery("PRAGMA page_size") == ["4096"])
        try store.commit(FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))]))
        #expect(try store.feedState(feedA)?.itemsSeen == 1)
    }

    /// Each previous version → latest, with its data preserved and new columns defaulted.
    @Test(arguments: ["v1", "v2"]) func previousVersionMigratesWithDataPreserved(version: String) throws {
        let dir = try TempDir()
        try FeedStore.createDatabase(path: dir.dbPath, upTo: version)
        // Rows as a v1 feedwatch wrote them.
        try FeedStore.execute(path: dir.dbPath, sql: """
            INSERT INTO feed (id, configured_url, current_url, name, etag, last_fetch, last_status,
                              items_seen, alerts, first_fetch_done, created_at)
            VALUES (1, '\(feedA)', 'https://a.example/new.xml', 'A', '"x"', 1700000000000, 200, 1, 1, 1, 1700000000000);
            INSERT INTO story (id, first_seen, fingerprint, alert_id) VALUES ('s1', 1700000000000, x'0102', 'al1');
            INSERT INTO article (id, feed_id, identity, canonical_url, title, text, fetched, content_hash,
                                 score, threshold, alerted, story_id)
            VALUES (7, 1, 'guid:1', 'https://a.example/1', 'T1', 'old body', 1700000000000, 'hash1', 9, 6, 1, 's1');
            INSERT INTO outbox (alert_id, story_id, created, payload, spool_delivered)
            VALUES ('al1', 's1', 1700000000000, '{}', 1700000001000);
            """)
        if version == "v2" { // a tombstone as v2 pruned it: text NULL
            try FeedStore.execute(path: dir.dbPath, sql: """
                INSERT INTO article (id, feed_id, identity, fetched, content_hash, pruned)
                VALUES (8, 1, 'guid:0', 1600000000000, 'hash0', 1);
                """)
        }
        let store = try FeedStore(path: dir.dbPath)
        #expect(try store.appliedSchemaVersions() == FeedStore.schemaVersions)

        let state = try #require(try store.feedState(feedA))
        #expect(state.currentURL == "https://a.example/new.xml")
        #expect(state.etag == "\"x\"")
        #expect(state.itemsSeen == 1 && state.alerts == 1 && state.firstFetchDone)
        #expect(try store.allFeedStates().map(\.configuredURL) == [feedA]) // v2 `active` defaulted to 1

        let known = try store.knownArticles(feedURL: feedA, identities: ["guid:1"])
        #expect(known["guid:1"] == KnownArticle(id: 7, identity: "guid:1", contentHash: "hash1", alerted: true,
                                                 storyID: "s1", score: 9, pruned: false))
        #expect(try store.articleText(id: 7) == "old body") // moved to article_body by v3
        // v4's partial index still finds the story of a known canonical URL.
        #expect(try store.knownCanonicalURLs(["https://a.example/1", "https://a.example/2"]) == ["https://a.example/1": "s1"])
        if version == "v2" {
            #expect(try store.knownArticles(feedURL: feedA, identities: ["guid:0"])["guid:0"]?.pruned == true)
            #expect(try store.articleText(id: 8) == nil)
        }
        #expect(try store.pendingOutbox(for: .spool, limit: 10).isEmpty)
        #expect(try store.pendingOutbox(for: .log, limit: 10).map(\.alertID) == ["al1"])
        // The retention index works on migrated rows.
        #expect(try store.prune(bodiesOlderThan: t(1)) == 1)
        #expect(try store.knownArticles(feedURL: feedA, identities: ["guid:1"])["guid:1"]?.pruned == true)
        #expect(try store.articleText(id: 7) == nil)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func databaseFromANewerFeedwatchIsRefused() throws {
        let dir = try TempDir()
        _ = try FeedStore(path: dir.dbPath)
        try FeedStore.execute(path: dir.dbPath, sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        #expect(throws: StoreError.schemaTooNew(path: dir.dbPath, unknownVersions: ["v99"])) {
            _ = try FeedStore(path: dir.dbPath)
        }
    }

    @Test func unopenableAndDamagedFilesGiveTypedErrorsNamingThePath() throws {
        let dir = try TempDir()
        let missing = dir.url.appendingPathComponent("no/such/dir/db.sqlite").path
        do {
            _ = try FeedStore(path: missing)
            Issue.record("opened a database in a missing directory")
        } catch let e as StoreError {
            guard case .cannotOpen(let p, _) = e else { Issue.record("unexpected \(e)"); return }
            #expect(p == missing)
        }

        let junk = dir.url.appendingPathComponent("junk.sqlite").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: junk))
        do {
            _ = try FeedStore(path: junk)
            Issue.record("opened a file that is not a database")
        } catch let e as StoreError {
            guard case .corrupt(let p, _) = e else { Issue.record("unexpected \(e)"); return }
            #expect(p == junk)
        }
    }
}

@Suite struct FeedStateTests {
    @Test func syncAddsKeepsRenamesAndDeactivates() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, "A"), (feedB, nil)])
        let fresh = try store.allFeedStates()
        #expect(fresh == [FeedState(configuredURL: feedA, name: "A"), FeedState(configuredURL: feedB)])
        #expect(fresh[0].statusState(now: t(0)) == "new")

        try store.updateFeedState(fetchedState(feedA))
        try store.syncFeeds([(feedA, "A renamed")])
        let after = try store.allFeedStates()
        #expect(after.map(\.configuredURL) == [feedA])
        #expect(after[0].name == "A renamed")
        #expect(after[0].etag == "\"e1\"") // state kept across a sync
        #expect(try store.allFeedStates(includeInactive: true).count == 2)

        try store.syncFeeds([(feedA, "A renamed"), (feedB, "B")])
        #expect(try store.allFeedStates().map(\.configuredURL) == [feedA, feedB])
    }

    /// `feedwatch status` next to a running daemon: reads, never writes or migrates.
    @Test func readOnlyOpen() throws {
        let dir = try TempDir()
        #expect(throws: StoreError.cannotOpen(path: dir.dbPath, message: "no such database")) {
            _ = try FeedStore(path: dir.dbPath, readOnly: true)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.dbPath))

        let writer = try FeedStore(path: dir.dbPath)
        try writer.syncFeeds([(feedA, "A")])
        try writer.updateFeedState(fetchedState(feedA))
        let reader = try FeedStore(path: dir.dbPath, readOnly: true)
        #expect(try reader.allFeedStates().map(\.etag) == ["\"e1\""])
        #expect(throws: StoreError.readOnly(path: dir.dbPath)) { try reader.updateFeedState(fetchedState(feedB)) }
        // It sees the writer's later commits.
        try writer.commit(FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))]))
        #expect(try reader.feedState(feedA)?.itemsSeen == 1)
        // And works with no daemon running (WAL closed and removed).
        try reader.close()
        try writer.close()
        let alone = try FeedStore(path: dir.dbPath, readOnly: true)
        #expect(try alone.feedState(feedA)?.itemsSeen == 1)

        let old = dir.url.appendingPathComponent("old.sqlite").path
        try FeedStore.createDatabase(path: old, upTo: "v1")
        #expect(throws: StoreError.schemaOutdated(path: old, missingVersions: ["v2", "v3", "v4"])) {
            _ = try FeedStore(path: old, readOnly: true)
        }
    }

    @Test func feedStateRoundTrips() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        var s = fetchedState(feedA)
        s.currentURL = "https://a.example/moved.xml"
        s.name = "A"
        s.consecutiveErrors = 3
        s.retryAfterUntil = t(7200)
        s.lastError = "HTTP 503"
        s.lastStatus = 503
        s.gone = false
        try store.updateFeedState(s)
        #expect(try store.feedState(feedA) == s)
        #expect(try store.feedState(feedB) == nil)

        s.gone = true
        s.lastStatus = 410
        try store.updateFeedStates([s, fetchedState(feedB)])
        #expect(try store.feedState(feedA)?.gone == true)
        #expect(try store.feedState(feedA)?.statusState(now: t(0)) == "gone")
        #expect(try store.feedState(feedB)?.statusState(now: t(0)) == "ok")
    }

    @Test func statusStates() {
        var s = fetchedState(feedA)
        #expect(s.statusState(now: t(10)) == "ok")
        s.consecutiveErrors = 1
        #expect(s.statusState(now: t(10)) == "error")
        s.consecutiveErrors = 4
        s.nextDue = t(3600)
        #expect(s.statusState(now: t(10)) == "backoff")
        s.consecutiveErrors = 0
        s.retryAfterUntil = t(100)
        #expect(s.statusState(now: t(10)) == "backoff")
        #expect(s.statusState(now: t(200)) == "ok")
    }

    /// items_seen and alerts count what was really stored, and survive state-only updates.
    @Test func statusCountersFollowCommits() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, nil)])
        var state = fetchedState(feedA)
        state.itemsSeen = 999 // ignored: the store owns the counters
        let r = try store.commit(FetchCommit(
            feed: state,
            inserts: [write(article(feedA, "1")), write(article(feedA, "2")),
                      write(article(feedA, "2")), // a feed repeating an identity in one document
                      write(article(feedA, "3"), score: 9, story: "s1", alerted: true)],
            newStories: [story("s1")],
            alerts: [alert("al1", story: "s1")]))
        #expect(r == CommitResult(inserted: 3, updated: 0, alertsQueued: 1))
        var got = try #require(try store.feedState(feedA))
        #expect(got.itemsSeen == 3 && got.alerts == 1)

        // A 304: state only, counters untouched.
        state.lastStatus = 304
        try store.updateFeedState(state)
        got = try #require(try store.feedState(feedA))
        #expect(got.lastStatus == 304 && got.itemsSeen == 3 && got.alerts == 1)

        // Seen again: nothing new, nothing counted.
        let again = try store.commit(FetchCommit(feed: state, inserts: [write(article(feedA, "1"))]))
        #expect(again.inserted == 0)
        #expect(try store.feedState(feedA)?.itemsSeen == 3)
    }
}

@Suite struct ArticleTests {
    @Test func knownArticlesIsOneIndexedLookupPerFeed() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.commit(FetchCommit(feed: fetchedState(feedA),
                                     inserts: [write(article(feedA, "1"), hash: "ha"),
                                               write(article(feedA, "2"), hash: "hb", score: 3)]))
        try store.commit(FetchCommit(feed: fetchedState(feedB), inserts: [write(article(feedB, "1"), hash: "hc")]))

        let known = try store.knownArticles(feedURL: feedA, identities: ["1", "2", "3"])
        #expect(Set(known.keys) == ["1", "2"])
        #expect(known["1"]?.contentHash == "ha")
        #expect(known["2"]?.score == 3)
        #expect(try store.knownArticles(feedURL: feedB, identities: ["1", "2"]).keys.sorted() == ["1"])
        #expect(try store.knownArticles(feedURL: "https://unknown.example/", identities: ["1"]).isEmpty)
        #expect(try store.knownArticles(feedURL: feedA, identities: []).isEmpty)

        // The plan: an index search on (feed_id, identity), no table scan.
        let plan = try store.queryPlan("""
            SELECT id, identity, content_hash, alerted, story_id, score, pruned FROM article
            WHERE feed_id = (SELECT id FROM feed WHERE configured_url = ?)
              AND identity IN (SELECT value FROM json_each(?))
            """, arguments: [feedA, #"["1"]"#])
        #expect(plan.contains { $0.hasPrefix("SEARCH article USING") && $0.contains("(feed_id=? AND identity=?)") })
        #expect(!plan.contains { $0.hasPrefix("SCAN article") })
    }

    @Test func hotPathsUseIndexes() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        let canonical = try store.queryPlan("""
            SELECT canonical_url, story_id FROM article
            WHERE canonical_url IN (SELECT value FROM json_each(?)) AND story_id IS NOT NULL ORDER BY id
            """, arguments: ["[]"])
        #expect(canonical.contains { $0.contains("USING INDEX article_canonical_url_in_story") })
        let pending = try store.queryPlan("""
            SELECT alert_id FROM outbox WHERE log_delivered IS NULL ORDER BY created, alert_id LIMIT 10
            """)
        #expect(pending.contains { $0.contains("outbox_pending_log") })
        let prune = try store.queryPlan("SELECT id FROM article WHERE pruned = 0 AND fetched < ? LIMIT 10",
                                        arguments: [1])
        #expect(prune.contains { $0.contains("article_unpruned_fetched") })
        let sources = try store.queryPlan("SELECT title FROM article WHERE story_id = ?", arguments: ["s"])
        #expect(sources.contains { $0.contains("article_story") })
    }

    @Test func updatesNeverUnAlertAndKeepTheStory() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.commit(FetchCommit(feed: fetchedState(feedA),
                                     inserts: [write(article(feedA, "1", text: "v1"), hash: "h1", score: 8,
                                                     story: "s1", alerted: true)],
                                     newStories: [story("s1")], alerts: [alert("al1", story: "s1")]))
        let id = try #require(try store.knownArticles(feedURL: feedA, identities: ["1"])["1"]?.id)

        // Edited text, rescored below threshold, pipeline says "not alerted now".
        let r = try store.commit(FetchCommit(
            feed: fetchedState(feedA),
            updates: [ArticleUpdate(id: id, write: write(article(feedA, "1", title: "Edited", text: "v2"),
                                                         hash: "h2", score: 2, story: nil, alerted: false))]))
        #expect(r.updated == 1)
        let k = try #require(try store.knownArticles(feedURL: feedA, identities: ["1"])["1"])
        #expect(k.contentHash == "h2" && k.score == 2)
        #expect(k.alerted)            // never goes back to false
        #expect(k.storyID == "s1")    // nil kept the story
        #expect(try store.storySources("s1").map(\.title) == ["Edited"])
        #expect(try store.articleText(id: id) == "v2")
        #expect(try store.storedMatches(articleID: id) == [TermMatch(term: "Pyongyang", group: "north_korea",
                                                                    weight: 2, count: 3)])

        // An update can only touch the committing feed's own articles.
        #expect(throws: StoreError.articleNotFound(path: dir.dbPath, id: id)) {
            try store.commit(FetchCommit(feed: fetchedState(feedB),
                                         updates: [ArticleUpdate(id: id, write: write(article(feedB, "1")))]))
        }
        #expect(try store.articleText(id: id) == "v2")
    }

    @Test func crossFeedDuplicatesStoriesAndSources() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, "Outlet A config"), (feedB, nil)])
        try store.commit(FetchCommit(
            feed: fetchedState(feedA, at: t(0)),
            inserts: [write(article(feedA, "1", link: "https://a.example/ri?utm_source=x", canonical: "https://a.example/ri",
                                    fetched: t(0)), story: "s1"),
                      write(article(feedA, "2", link: "https://a.example/other", fetched: t(0)))],
            newStories: [story("s1", firstSeen: t(0))]))
        try store.commit(FetchCommit(
            feed: fetchedState(feedB, at: t(60)),
            inserts: [write(article(feedB, "x", link: "https://b.example/wire", fetched: t(60)), story: "s1")],
            newStories: [story("s2", firstSeen: t(60))]))

        #expect(try store.knownCanonicalURLs(["https://a.example/ri", "https://a.example/other", "https://nope/"])
                == ["https://a.example/ri": "s1"]) // "other" has no story
        #expect(try store.recentStories(since: t(30)).map(\.id) == ["s2"])
        let all = try store.recentStories(since: t(-1))
        #expect(all.map(\.id) == ["s1", "s2"])
        #expect(all[0].fingerprint == [1, 2, 3, 4, 5, 6, 7, 8])

        let sources = try store.storySources("s1")
        #expect(sources == [
            AlertSource(feed: "Outlet A config", url: "https://a.example/ri?utm_source=x", title: "Title 1"),
            AlertSource(feed: "Outlet B", url: "https://b.example/wire", title: "Title x"), // display name from the article
        ])
    }

    /// Retention bounds the file: bodies pruned free whole pages, and the
    /// next articles reuse them instead of growing the file.
    @Test func prunedSpaceIsReused() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        let body = String(repeating: "Lavrov met Ri Yong Ho in Moscow. ", count: 60) // ~2 KB
        func fill(_ range: Range<Int>, at: Date) throws {
            try store.commit(FetchCommit(feed: fetchedState(feedA),
                                         inserts: range.map { write(article(feedA, "id-\($0)", text: body, fetched: at)) }))
        }
        func pages() throws -> Int {
            try store.checkpoint()
            return Int(try #require(try store.rawQuery("PRAGMA page_count").first ?? nil))!
        }
        try fill(0..<600, at: t(-90 * 86400))
        let before = try pages()
        #expect(try store.prune(bodiesOlderThan: t(-30 * 86400)) == 600)
        try fill(600..<1200, at: t(0))
        let after = try pages()
        // Without reuse the file would about double; tombstones add a little.
        #expect(Double(after) < Double(before) * 1.35, "pages \(before) → \(after)")
        #expect(try store.knownArticles(feedURL: feedA, identities: ["id-0", "id-1199"]).count == 2)
    }

    @Test func pruneKeepsTombstonesSoPrunedItemsStayKnown() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.commit(FetchCommit(
            feed: fetchedState(feedA),
            inserts: [write(article(feedA, "old1", fetched: t(-90 * 86400)), score: 9, story: "s1", alerted: true),
                      write(article(feedA, "old2", fetched: t(-40 * 86400))),
                      write(article(feedA, "new", fetched: t(0)))],
            newStories: [story("s1")], alerts: [alert("al1", story: "s1")]))

        #expect(try store.prune(bodiesOlderThan: t(-30 * 86400)) == 2)
        #expect(try store.prune(bodiesOlderThan: t(-30 * 86400)) == 0)
        let known = try store.knownArticles(feedURL: feedA, identities: ["old1", "old2", "new"])
        #expect(known.count == 3)
        #expect(known["old1"]?.pruned == true && known["old1"]?.alerted == true)
        #expect(known["new"]?.pruned == false)
        #expect(try store.rawQuery("SELECT count(*) FROM article_body") == ["1"]) // only "new" keeps a body
        #expect(try store.articleText(id: try #require(known["new"]?.id)) == "body")
        #expect(try store.articleText(id: try #require(known["old2"]?.id)) == nil)
        #expect(try store.storySources("s1").count == 1) // tombstones still name their story

        // The pruned item comes back in the feed: still known, not inserted, not counted.
        let r = try store.commit(FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "old1"))]))
        #expect(r.inserted == 0)
        #expect(try store.feedState(feedA)?.itemsSeen == 3)
    }
}

@Suite struct CommitAtomicityTests {
    private func assertNothingWritten(_ store: FeedStore) throws {
        #expect(try store.feedState(feedA) == FeedState(configuredURL: feedA))
        #expect(try store.rawQuery("SELECT count(*) FROM article") == ["0"])
        #expect(try store.rawQuery("SELECT count(*) FROM story") == ["0"])
        #expect(try store.pendingOutbox(for: .spool, limit: 10).isEmpty)
        #expect(try store.pendingOutbox(for: .log, limit: 10).isEmpty)
    }

    /// The failing part comes last, after feed state, stories, articles and outbox rows were written.
    @Test func failingUpdateRollsBackEverything() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, nil)])
        let c = FetchCommit(feed: fetchedState(feedA),
                            inserts: [write(article(feedA, "1"), score: 9, story: "s1", alerted: true)],
                            updates: [ArticleUpdate(id: 4242, write: write(article(feedA, "zz")))],
                            newStories: [story("s1")], alerts: [alert("al1", story: "s1")])
        #expect(throws: StoreError.articleNotFound(path: dir.dbPath, id: 4242)) { try store.commit(c) }
        try assertNothingWritten(store)
    }

    @Test func groupCommitIsAllOrNothing() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, nil), (feedB, nil)])
        let good = FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))])
        let bad = FetchCommit(feed: fetchedState(feedB),
                              updates: [ArticleUpdate(id: 99, write: write(article(feedB, "x")))])
        #expect(throws: StoreError.articleNotFound(path: dir.dbPath, id: 99)) { try store.commit(batch: [good, bad]) }
        try assertNothingWritten(store)

        let ok = FetchCommit(feed: fetchedState(feedB), inserts: [write(article(feedB, "1")), write(article(feedB, "2"))])
        let results = try store.commit(batch: [good, ok])
        #expect(results.map(\.inserted) == [1, 2])
        #expect(try store.feedState(feedA)?.itemsSeen == 1 && store.feedState(feedB)?.itemsSeen == 2)
    }

    /// 304 states may skip the fsync; the writer goes back to FULL right after,
    /// so the next article commit is synced as before.
    @Test func unsyncedStateCommitIsWrittenAndFullSyncIsRestored() throws {
        let dir = try TempDir()
        do {
            let store = try FeedStore(path: dir.dbPath)
            try store.syncFeeds([(feedA, nil), (feedB, nil)])
            var a = fetchedState(feedA), b = fetchedState(feedB)
            a.etag = "\"v1\""
            b.lastError = "timed out"
            let results = try store.commit(batch: [FetchCommit(feed: a), FetchCommit(feed: b)], sync: false)
            #expect(results.count == 2)
            #expect(try store.durabilitySettings().synchronous == 2)
            let good = FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))])
            #expect(try store.commit(batch: [good]).map(\.inserted) == [1])
        }
        let reopened = try FeedStore(path: dir.dbPath)
        #expect(try reopened.feedState(feedB)?.lastError == "timed out")
        #expect(try reopened.feedState(feedA)?.itemsSeen == 1)
    }

    @Test func constraintViolationRollsBackEverything() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.syncFeeds([(feedA, nil)])
        // The alert names a story that neither exists nor is created.
        let c = FetchCommit(feed: fetchedState(feedA),
                            inserts: [write(article(feedA, "1"), story: "s1")],
                            newStories: [story("s1")], alerts: [alert("al1", story: "missing")])
        do {
            try store.commit(c)
            Issue.record("commit with a dangling story reference succeeded")
        } catch let e as StoreError {
            guard case .constraint = e else { Issue.record("unexpected \(e)"); return }
        }
        try assertNothingWritten(store)
        // And the store is still usable afterwards.
        try store.commit(FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))]))
        #expect(try store.feedState(feedA)?.itemsSeen == 1)
    }
}

@Suite struct OutboxTests {
    @Test func deliveryIsTrackedPerSink() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        let a1 = alert("al1", story: "s1", fetched: t(0))
        let a2 = alert("al2", story: "s2", fetched: t(1))
        try store.commit(FetchCommit(feed: fetchedState(feedA, at: t(0)), newStories: [story("s1")], alerts: [a1]))
        try store.commit(FetchCommit(feed: fetchedState(feedA, at: t(1)), newStories: [story("s2")], alerts: [a2]))

        #expect(try store.pendingOutbox(for: .spool, limit: 10).map(\.alertID) == ["al1", "al2"])
        #expect(try store.pendingOutbox(for: .spool, limit: 1).map(\.alertID) == ["al1"])
        let entry = try #require(try store.pendingOutbox(for: .log, limit: 10).first)
        #expect(try entry.alert() == a1)
        #expect(entry.payload.contains(#""story_id":"s1""#))
        #expect(entry.payload.contains(#""published":"2023-11-14T21:13:20Z""#)) // RFC 3339 UTC

        #expect(try store.markDelivered(["al1"], sink: .spool, at: t(5)) == 1)
        #expect(try store.markDelivered(["al1"], sink: .spool, at: t(9)) == 0) // first time kept
        #expect(try store.pendingOutbox(for: .spool, limit: 10).map(\.alertID) == ["al2"])
        #expect(try store.pendingOutbox(for: .log, limit: 10).map(\.alertID) == ["al1", "al2"])

        try store.recordDeliveryFailure("al2", sink: .spool, error: "No space left on device")
        try store.recordDeliveryFailure("al2", sink: .spool, error: "No space left on device")
        let pending = try store.pendingOutbox(for: .spool, limit: 10)
        #expect(pending.map(\.alertID) == ["al2"] && pending[0].attempts == 2) // still pending, retried
        #expect(try store.pendingOutbox(for: .log, limit: 10).first { $0.alertID == "al2" }?.attempts == 0)

        try store.markDelivered(["al1", "al2"], sink: .log, at: t(6))
        try store.markDelivered(["al2"], sink: .spool, at: t(7))
        #expect(try store.pendingOutbox(for: .log, limit: 10).isEmpty)
        #expect(try store.pendingOutbox(for: .spool, limit: 10).isEmpty)
        let done = try #require(try store.outboxEntry("al1"))
        #expect(done.spoolDelivered == t(5) && done.logDelivered == t(6))
        #expect(try store.outboxEntry("nope") == nil)
        #expect(try store.alertCount(since: t(0)) == 2)
        #expect(try store.alertCount(since: t(1)) == 1)
    }

    @Test func oneAlertPerStoryAndStableIDs() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath)
        try store.commit(FetchCommit(feed: fetchedState(feedA), newStories: [story("s1")],
                                     alerts: [alert("al1", story: "s1")]))
        // Same alert again (a rerun after a crash) and a second alert for the same story.
        let r = try store.commit(FetchCommit(feed: fetchedState(feedB),
                                             alerts: [alert("al1", story: "s1"), alert("al9", story: "s1")]))
        #expect(r.alertsQueued == 0)
        #expect(try store.pendingOutbox(for: .spool, limit: 10).map(\.alertID) == ["al1"])
        #expect(try store.feedState(feedB)?.alerts == 0)
        #expect(try store.recentStoryCandidates(since: t(-100)).first?.alertID == "al1")
    }
}

/// Another process holding the write lock: writes fail with a typed busy
/// error once the busy timeout expires; reads (WAL) keep working.
@Suite struct LockTests {
    /// A python3 process that opens the database and holds `BEGIN IMMEDIATE`
    /// (the write lock) until its stdin is closed.
    final class LockHolder {
        let process = Process()
        let stdin = Pipe()
        let stdout = Pipe()

        init(path: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", """
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1], isolation_level=None)
                c.execute("BEGIN IMMEDIATE")
                c.execute("UPDATE feed SET name = 'held' WHERE 0")
                print("locked", flush=True)
                sys.stdin.read()
                c.execute("ROLLBACK")
                """, path]
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("locked") {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { throw CocoaError(.fileReadUnknown) } // process died
                seen.append(chunk)
            }
        }

        func release() {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    @Test func writeLockHeldByAnotherProcessGivesBusyNotACrash() throws {
        let dir = try TempDir()
        let store = try FeedStore(path: dir.dbPath, busyTimeout: 0.3)
        try store.syncFeeds([(feedA, nil)])
        let holder = try LockHolder(path: dir.dbPath)
        defer { holder.release() }

        #expect(throws: StoreError.busy(path: dir.dbPath)) { try store.updateFeedState(fetchedState(feedA)) }
        #expect(throws: StoreError.busy(path: dir.dbPath)) {
            try store.commit(FetchCommit(feed: fetchedState(feedA), inserts: [write(article(feedA, "1"))]))
        }
        #expect(StoreError.busy(path: dir.dbPath).isTransient)
        // Readers are not blocked by a writer in WAL mode.
        try store.ping()
        #expect(try store.feedState(feedA)?.lastStatus == nil)

        // Opening the (already migrated) database meanwhile does not crash:
        // it either works (no write needed) or reports busy.
        do {
            let second = try FeedStore(path: dir.dbPath, busyTimeout: 0.3)
            #expect(try second.feedState(feedA) != nil)
        } catch let e as StoreError {
            #expect(e == .busy(path: dir.dbPath))
        }

        holder.release()
        try store.updateFeedState(fetchedState(feedA))
        #expect(try store.feedState(feedA)?.lastStatus == 200)
    }
}
