import Foundation
import FeedwatchCore
import FeedwatchDedup
import FeedwatchStore

/// Group commit. Every poll's result (a new feed state, or the articles,
/// stories and alerts of a changed feed) is handed to one serial committer
/// that plans stories and commits whatever has queued up in ONE transaction.
///
/// Why: the store syncs every transaction to disk (`synchronous=FULL`, so an
/// alert is never lost), and one sync per feed caps a pass at the disk's sync
/// rate (0.2–4 ms here: 1,000 feeds could spend 4 s in fsync alone). Batching
/// keeps the guarantee — a poll is reported done only after its batch is
/// durable — while the number of syncs follows the disk, not the feed count.
/// Being serial, it is also where stories are assigned, so two feeds carrying
/// the same event at the same moment cannot each open a story.
final class Committer: @unchecked Sendable {
    enum Work {
        /// A feed state only (304, same body, error, gone). `sync: false`
        /// for a 304: nothing in it must survive a power cut (see
        /// `FeedStore.commit(batch:sync:)`).
        case state(FeedState, sync: Bool = true)
        /// A changed feed: its prepared (scored) items, planned in the batch.
        case fetch(processor: ArticleProcessor, prepared: [ArticleProcessor.Prepared], state: FeedState)
    }

    private let store: FeedStore
    private let queue = DispatchQueue(label: "feedwatch.committer")
    /// Guards `pending` and `scheduled`; never held during database work.
    private let lock = NSLock()
    private var pending: [(Work, @Sendable (Result<CommitResult, Error>) -> Void)] = []
    private var scheduled = false

    init(store: FeedStore) {
        self.store = store
    }

    func submit(_ work: Work) async throws -> CommitResult {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<CommitResult, Error>) in
            let start = lock.withLock { () -> Bool in
                pending.append((work, { c.resume(with: $0) }))
                defer { scheduled = true }
                return !scheduled
            }
            if start { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = lock.withLock { () -> [(Work, @Sendable (Result<CommitResult, Error>) -> Void)] in
                let b = pending
                pending = []
                if b.isEmpty { scheduled = false }
                return b
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [(Work, @Sendable (Result<CommitResult, Error>) -> Void)]) {
        let overlay = BatchOverlay()
        var needsSync = false
        var commits: [(FetchCommit, @Sendable (Result<CommitResult, Error>) -> Void)] = []
        for (work, done) in batch {
            switch work {
            case .state(let s, let sync):
                commits.append((FetchCommit(feed: s), done))
                if sync { needsSync = true }
            case .fetch(let processor, let prepared, let state):
                do {
                    let plan = try processor.plan(prepared, lookup: overlay.lookup(store))
                    overlay.absorb(plan, feedName: processor.feedName)
                    var s = state
                    s.firstFetchDone = true
                    commits.append((FetchCommit(feed: s, inserts: plan.inserts, updates: plan.updates,
                                                newStories: plan.newStories, alerts: plan.alerts), done))
                    needsSync = true
                } catch {
                    done(.failure(error))
                }
            }
        }
        guard !commits.isEmpty else { return }
        do {
            let results = try store.commit(batch: commits.map(\.0), sync: needsSync)
            for (i, (_, done)) in commits.enumerated() { done(.success(results[i])) }
        } catch {
            // One bad commit must not fail the others: retry one by one.
            for (c, done) in commits {
                do { done(.success(try store.commit(c))) } catch { done(.failure(error)) }
            }
        }
    }
}

/// What earlier commits of the same batch created, visible to later plans
/// before the batch is on disk.
final class BatchOverlay {
    private var stories: [ArticleProcessor.Candidate] = []
    private var storyOfCanonical: [String: String] = [:]
    private var sources: [String: [AlertSource]] = [:]

    func lookup(_ store: FeedStore) -> ArticleProcessor.Lookup {
        ArticleProcessor.Lookup(
            storyForCanonicalURL: { urls in
                var found = try store.knownCanonicalURLs(urls)
                for u in urls where found[u] == nil { found[u] = self.storyOfCanonical[u] }
                return found
            },
            recentStories: { since in
                let stored = try store.recentStoryCandidates(since: since).compactMap { c in
                    StoryFingerprint(encoded: c.fingerprint).map {
                        ArticleProcessor.Candidate(id: c.id, fingerprint: $0, alertID: c.alertID)
                    }
                }
                return stored + self.stories
            },
            sources: { id in try store.storySources(id) + (self.sources[id] ?? []) }
        )
    }

    func absorb(_ plan: ArticleProcessor.Plan, feedName: String) {
        let alerted = Dictionary(plan.alerts.map { ($0.storyID, $0.id) }, uniquingKeysWith: { a, _ in a })
        for s in plan.newStories {
            guard let fp = StoryFingerprint(encoded: s.fingerprint) else { continue }
            stories.append(.init(id: s.id, fingerprint: fp, alertID: alerted[s.id]))
        }
        for i in stories.indices where stories[i].alertID == nil { stories[i].alertID = alerted[stories[i].id] }
        // (No `inserts + updates.map(\.write)`: that copied every write of the
        // batch, retaining each of its strings, on the serial commit path.)
        func note(_ w: ArticleWrite) {
            guard let story = w.storyID else { return }
            if let c = w.article.canonicalURL { storyOfCanonical[c] = story }
            sources[story, default: []].append(AlertSource(feed: feedName, url: w.article.link, title: w.article.title))
        }
        for i in plan.inserts.indices where plan.inserts[i].storyID != nil { note(plan.inserts[i]) }
        for i in plan.updates.indices where plan.updates[i].write.storyID != nil { note(plan.updates[i].write) }
    }
}
