import FeedwatchCore
import FeedwatchStore
import Foundation
import Testing
import FeedwatchTestSupport

/// The store benchmark of issue 5 — NOT part of the normal suite (it takes
/// minutes and measures time). Run it with `Benchmarks/store/bench.sh`, i.e.
/// `FEEDWATCH_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter StoreBenchmark`.
///
/// Knobs (environment): FEEDWATCH_BENCH_ARTICLES (default 1000000),
/// FEEDWATCH_BENCH_FEEDS (default 1000), FEEDWATCH_BENCH_DIR (default: a temp dir, removed after),
/// FEEDWATCH_BENCH_SYNC (full | normal; default full — normal only to separate CPU cost from fsync).
@Suite(.serialized) struct StoreBenchmark {
    static let env = ProcessInfo.processInfo.environment
    static let enabled = env["FEEDWATCH_BENCH"] == "1"

    @Test(.enabled(if: StoreBenchmark.enabled, "set FEEDWATCH_BENCH=1 (Benchmarks/store/bench.sh)"))
    func storeBenchmark() throws {
        let target = Int(Self.env["FEEDWATCH_BENCH_ARTICLES"] ?? "") ?? 1_000_000
        let feedCount = Int(Self.env["FEEDWATCH_BENCH_FEEDS"] ?? "") ?? 1_000
        let baseDir: URL
        var cleanup: TempDir?
        if let d = Self.env["FEEDWATCH_BENCH_DIR"] {
            baseDir = URL(fileURLWithPath: d)
            try FileManager.default.createDirectory(at: baseDir, withIntermediateDirectories: true)
        } else {
            let t = try TempDir()
            cleanup = t
            baseDir = t.url
        }
        defer { _ = cleanup }
        let path = baseDir.appendingPathComponent("bench-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }

        let durability = FeedStore.Durability(rawValue: Self.env["FEEDWATCH_BENCH_SYNC"] ?? "full") ?? .full
        var bench = Bench(path: path, feedCount: feedCount, durability: durability)
        try bench.open()
        report("setup", "articles_target=\(target) feeds=\(feedCount) synchronous=\(durability.rawValue.uppercased()) journal=WAL db=\(path)")

        // Small database: 10k articles.
        try bench.populate(to: 10_000)
        let small = try bench.unchangedFeedCost(label: "10k")
        try bench.dedupInsert(label: "10k", batch: 100, knownPerBatch: 0, fetches: 100)

        // Large database.
        let started = Date()
        try bench.populate(to: target)
        let secs = Date().timeIntervalSince(started)
        report("populate", String(format: "%d articles in %.1f s (%.0f articles/s, batches of 1000 per commit)",
                                  target - 10_000, secs, Double(target - 10_000) / secs))

        for (batch, known, fetches) in [(25, 0, 200), (100, 0, 200), (500, 0, 60), (50, 40, 200)] {
            try bench.dedupInsert(label: "\(bench.total / 1000)k", batch: batch, knownPerBatch: known, fetches: fetches)
        }
        // Group commit: the results of 10 fetches (50 new items each) per transaction.
        try bench.dedupInsertGrouped(label: "\(bench.total / 1000)k", batch: 50, group: 10, rounds: 40)
        let large = try bench.unchangedFeedCost(label: "\(bench.total / 1000)k")
        report("unchanged-feed growth", String(format: "updateFeedState median %.0f µs at 10k vs %.0f µs at %dk (ratio %.2f); batched 1000 per transaction %.1f µs vs %.1f µs (ratio %.2f)",
                                               small.median, large.median, bench.total / 1000, large.median / small.median,
                                               small.sqlOnly, large.sqlOnly, large.sqlOnly / small.sqlOnly))
        try bench.sizes()
    }

    func report(_ what: String, _ text: String) {
        print("BENCH \(what): \(text)")
    }
}

/// Benchmark state: the store, the per-feed sequence numbers of stored items.
private struct Bench {
    let path: String
    let feedCount: Int
    let durability: FeedStore.Durability
    var store: FeedStore!
    var nextItem: [Int]
    var total = 0
    var storyCounter = 0
    var rng = SplitMix64(seed: 42)

    init(path: String, feedCount: Int, durability: FeedStore.Durability) {
        self.path = path
        self.durability = durability
        self.feedCount = feedCount
        self.nextItem = Array(repeating: 0, count: feedCount)
    }

    static let words = """
        the minister said on tuesday that talks between the two governments would continue next month in \
        moscow after a round of meetings in pyongyang focused on trade energy rail links and the labour \
        agreement signed last year officials declined to give details of the schedule but said delegations \
        from both sides had agreed on a framework for further cooperation analysts said the visit signalled \
        closer ties amid sanctions while markets in seoul and tokyo showed little reaction to the news
        """.split(separator: " ").map(String.init)

    /// ~600 bytes of summary text, about what a real feed item carries.
    static let texts: [String] = {
        var r = SplitMix64(seed: 7)
        return (0..<256).map { _ in
            var s = ""
            while s.utf8.count < 600 { s += words[Int(r.next() % UInt64(words.count))] + " " }
            return s
        }
    }()

    func feedURL(_ f: Int) -> String { "https://news\(f).example.com/rss/world.xml" }
    func identity(_ f: Int, _ n: Int) -> String { "https://news\(f).example.com/world/2026/11/\(n)-ministers-meet-for-talks" }

    mutating func open() throws {
        store = try FeedStore(path: path, durability: durability)
        try store.syncFeeds((0..<feedCount).map { (feedURL($0), "News \($0)") })
    }

    mutating func makeWrite(_ f: Int, _ n: Int, now: Date) -> (ArticleWrite, NewStory?) {
        let url = identity(f, n)
        let relevant = rng.next() % 100 == 0 // 1% relevant: scored, in a story
        var story: NewStory?
        var score: Score?
        if relevant {
            storyCounter += 1
            story = NewStory(id: String(format: "%016llx", rng.next()), published: now,
                             fingerprint: withUnsafeBytes(of: rng.next()) { Array($0) }, title: "Ministers meet", url: url)
            score = Score(value: 7.5, threshold: 6, matches: [
                TermMatch(term: "Pyongyang", group: "north_korea", weight: 2, count: 2),
                TermMatch(term: "Moscow", group: "russia", weight: 1.5, count: 1),
            ])
        }
        let a = Article(feedURL: feedURL(f), feedName: "News \(f)", identity: url, guid: url, link: url,
                        canonicalURL: url, title: "Ministers meet for talks on trade and energy, item \(n) of feed \(f)",
                        text: Self.texts[Int(rng.next() % 256)], published: now, updated: nil, fetched: now)
        let hash = String(format: "%016llx", rng.next())
        return (ArticleWrite(article: a, contentHash: hash, score: score, storyID: story?.id, alerted: false), story)
    }

    func state(_ f: Int, now: Date) -> FeedState {
        FeedState(configuredURL: feedURL(f), name: "News \(f)", etag: "\"\(now.timeIntervalSince1970)\"",
                  lastModified: "Mon, 30 Nov 2026 03:00:00 GMT", bodyHash: "b\(now.timeIntervalSince1970)",
                  lastFetch: now, lastStatus: 200, nextDue: now.addingTimeInterval(900), firstFetchDone: true)
    }

    /// Bulk load through the public `commit` (1000 new articles of one feed per transaction).
    mutating func populate(to target: Int) throws {
        var f = 0
        while total < target {
            let n = min(1000, target - total)
            let now = Date()
            var inserts: [ArticleWrite] = []
            var stories: [NewStory] = []
            for _ in 0..<n {
                let (w, s) = makeWrite(f, nextItem[f], now: now)
                nextItem[f] += 1
                inserts.append(w)
                if let s { stories.append(s) }
            }
            let r = try store.commit(FetchCommit(feed: state(f, now: now), inserts: inserts, newStories: stories))
            precondition(r.inserted == n)
            total += n
            f = (f + 1) % feedCount
        }
    }

    /// One simulated fetch per iteration: `batch` items of a random feed,
    /// `knownPerBatch` of them already stored; dedup check (knownArticles)
    /// then one commit with the new ones.
    mutating func dedupInsert(label: String, batch: Int, knownPerBatch: Int, fetches: Int) throws {
        var checked = 0
        var inserted = 0
        var elapsed: Duration = .zero
        let clock = ContinuousClock()
        for _ in 0..<fetches {
            let f = Int(rng.next() % UInt64(feedCount))
            let now = Date()
            var ids: [String] = []
            if nextItem[f] > 0 {
                for _ in 0..<knownPerBatch { ids.append(identity(f, Int(rng.next() % UInt64(nextItem[f])))) }
            }
            var candidates: [(ArticleWrite, NewStory?)] = []
            for _ in 0..<(batch - ids.count) {
                let (w, s) = makeWrite(f, nextItem[f], now: now)
                nextItem[f] += 1
                candidates.append((w, s))
                ids.append(w.article.identity)
            }
            // Timed: the store's share of a fetch (lookup + commit).
            let t0 = clock.now
            let known = try store.knownArticles(feedURL: feedURL(f), identities: ids)
            let fresh = candidates.filter { known[$0.0.article.identity] == nil }
            let r = try store.commit(FetchCommit(feed: state(f, now: now), inserts: fresh.map(\.0),
                                                 newStories: fresh.compactMap(\.1)))
            elapsed += clock.now - t0
            checked += ids.count
            inserted += r.inserted
            total += r.inserted
        }
        let s = elapsed.seconds
        print(String(format: "BENCH dedup+insert at %@ (%d items/fetch, %d known): %d fetches, %d items checked, %d inserted in %.2f s → %.0f items/s, %.0f new articles/s, %.2f ms/fetch",
                     label, batch, knownPerBatch, fetches, checked, inserted, s, Double(checked) / s,
                     Double(inserted) / s, s * 1000 / Double(fetches)))
    }

    /// Like `dedupInsert`, but `group` fetches (of distinct feeds) are
    /// committed together with `commit(batch:)`: one transaction, one fsync.
    mutating func dedupInsertGrouped(label: String, batch: Int, group: Int, rounds: Int) throws {
        var inserted = 0
        var elapsed: Duration = .zero
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let now = Date()
            let first = Int(rng.next() % UInt64(feedCount))
            var pending: [(feed: Int, writes: [(ArticleWrite, NewStory?)])] = []
            for g in 0..<group {
                let f = (first + g) % feedCount
                var ws: [(ArticleWrite, NewStory?)] = []
                for _ in 0..<batch {
                    ws.append(makeWrite(f, nextItem[f], now: now))
                    nextItem[f] += 1
                }
                pending.append((f, ws))
            }
            let t0 = clock.now
            var commits: [FetchCommit] = []
            for (f, ws) in pending {
                let known = try store.knownArticles(feedURL: feedURL(f), identities: ws.map(\.0.article.identity))
                let fresh = ws.filter { known[$0.0.article.identity] == nil }
                commits.append(FetchCommit(feed: state(f, now: now), inserts: fresh.map(\.0),
                                           newStories: fresh.compactMap(\.1)))
            }
            let results = try store.commit(batch: commits)
            elapsed += clock.now - t0
            let n = results.reduce(0) { $0 + $1.inserted }
            inserted += n
            total += n
        }
        let s = elapsed.seconds
        print(String(format: "BENCH dedup+insert at %@, group commit (%d fetches × %d new items per transaction): %d inserted in %.2f s → %.0f new articles/s, %.2f ms/transaction",
                     label, group, batch, inserted, s, Double(inserted) / s, s * 1000 / Double(rounds)))
    }

    /// The per-feed cost of an unchanged feed (304 / same body hash): one
    /// `updateFeedState`. Median of 1000 calls on random feeds; also the
    /// same statement batched 1000 per transaction, which isolates the SQL
    /// cost from the per-transaction fsync.
    mutating func unchangedFeedCost(label: String) throws -> (median: Double, sqlOnly: Double) {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<1000 {
            let f = Int(rng.next() % UInt64(feedCount))
            var s = try store.feedState(feedURL(f))!
            s.lastStatus = 304
            s.lastFetch = Date()
            let t0 = clock.now
            try store.updateFeedState(s)
            samples.append((clock.now - t0).seconds * 1e6)
        }
        samples.sort()
        let states = (0..<1000).map { i -> FeedState in
            var s = state(Int(rng.next() % UInt64(feedCount)), now: Date())
            s.lastStatus = 304
            return s
        }
        let t0 = clock.now
        try store.updateFeedStates(states)
        let batched = (clock.now - t0).seconds * 1e6 / 1000
        let median = samples[samples.count / 2]
        print(String(format: "BENCH unchanged feed at %@ (%d articles): updateFeedState median %.0f µs, p90 %.0f µs, p99 %.0f µs; batched 1000/transaction %.1f µs per feed",
                     label, total, median, samples[samples.count * 9 / 10], samples[samples.count * 99 / 100], batched))
        return (median, batched)
    }

    func sizes() throws {
        try store.checkpoint()
        let bytes = try fileSize(path)
        let c = try store.counts()
        print(String(format: "BENCH size: %d articles (%d stories), file %.1f MB → %.0f bytes/article (text ~600 B, title ~70 B, URL ~65 B)",
                     c.articles, c.stories, Double(bytes) / 1e6, Double(bytes) / Double(c.articles)))
        // Retention: prune every body, see what a tombstone costs.
        let clock = ContinuousClock()
        let t0 = clock.now
        let pruned = try store.prune(bodiesOlderThan: Date().addingTimeInterval(3600))
        let pruneSecs = (clock.now - t0).seconds
        try store.checkpoint()
        let pages = try store.rawQuery("PRAGMA page_count").first.flatMap { $0.flatMap(Int.init) } ?? 0
        let free = try store.rawQuery("PRAGMA freelist_count").first.flatMap { $0.flatMap(Int.init) } ?? 0
        let pageSize = try store.rawQuery("PRAGMA page_size").first.flatMap { $0.flatMap(Int.init) } ?? 4096
        let used = (pages - free) * pageSize
        print(String(format: "BENCH prune: %d bodies pruned in %.1f s; pages in use %.1f MB → %.0f bytes/tombstone (freed pages are reused by new rows; file stays %.1f MB)",
                     pruned, pruneSecs, Double(used) / 1e6, Double(used) / Double(c.articles), Double(try fileSize(path)) / 1e6))
    }

    func fileSize(_ p: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.intValue ?? 0
    }
}

private extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

