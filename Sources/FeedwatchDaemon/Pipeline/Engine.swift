import Foundation
import Logging
import FeedwatchCore
import FeedwatchFetch
import FeedwatchParse
import FeedwatchClassify
import FeedwatchDedup
import FeedwatchStore
import FeedwatchAlert

/// The pipeline spine (DESIGN.md rule 1: only this type calls more than one
/// stage): fetch → parse → classify → dedup → store → alert, for one feed at a
/// time, plus outbox delivery. Holds the current config and compiled keyword
/// rules, swapped atomically on reload; in-flight polls keep the values they
/// started with.
public final class Engine: @unchecked Sendable {
    public let store: FeedStore
    let fetcher: Fetcher
    let spool: SpoolSink
    let alertLog: AlertLogSink
    let logger: Logger
    /// Guards `current` (config + rules) and `deliveryInProgress`; never held across I/O.
    private let lock = NSLock()
    private var current: (config: DaemonConfig, rules: KeywordRules)
    private let deliveryLock = NSLock()
    /// Plans stories and commits polls in groups (see Committer).
    let committer: Committer

    public var config: DaemonConfig { lock.withLock { current.config } }
    public var rules: KeywordRules { lock.withLock { current.rules } }

    /// Opens everything a pass needs; throws a message naming the path on any
    /// unusable directory or file (a fatal error for `run`).
    public init(config: DaemonConfig, rules: KeywordRules, logger: Logger) throws {
        for dir in [config.stateDir, config.spoolDir, ConfigLocator.directory(of: config.alertLog)] {
            try Self.makeDirectory(dir)
        }
        self.store = try FeedStore(path: (config.stateDir as NSString).appendingPathComponent("feedwatch.sqlite"))
        self.committer = Committer(store: store)
        self.spool = try SpoolSink(directory: config.spoolDir)
        self.alertLog = try AlertLogSink(path: config.alertLog)
        let limits = config.fetchLimits
        self.fetcher = Fetcher(maxConcurrent: config.maxConcurrent, maxPerHost: config.maxPerHost, limits: limits,
                               allowPrivateNetworks: config.allowPrivateNetworks)
        self.logger = logger
        self.current = (config, rules)
        try store.syncFeeds(config.feeds.map { (url: $0.url, name: $0.name) })
        try reconcileAlertLog()
    }

    deinit {
        fetcher.shutdown()
    }

    /// Creates a state/spool/log directory with restrictive permissions
    /// (CONTRACT.md: "Paths that do not exist are created … with restrictive
    /// permissions; a path that cannot be created is a fatal error naming it").
    static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw EngineError.unusablePath(path, "exists and is not a directory") }
            return
        }
        // mkdir -p by hand, so the error names the component and errno.
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o750) != 0 && errno != EEXIST {
                throw EngineError.unusablePath(path, "cannot create \(built): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Swaps config and rules for the next polls (hot reload).
    public func reload(config: DaemonConfig, rules: KeywordRules) throws {
        try store.syncFeeds(config.feeds.map { (url: $0.url, name: $0.name) })
        lock.withLock { current = (config, rules) }
    }

    // MARK: - one feed

    public struct PollReport: Sendable {
        public var url: String
        public var outcome: String
        public var status: Int?
        public var newArticles = 0
        public var alerts = 0
        public var error: String?
        /// Failed below HTTP (DNS, connect, timeout): counts toward an outage.
        public var networkFailure = false
        public var host: String
        /// When the feed is due next (nil: gone, never again).
        public var nextDue: Date?
    }

    static func host(of url: String) -> String {
        URLComponents(string: url)?.host?.lowercased() ?? url
    }

    /// Polls one feed and commits everything it yields in one transaction.
    /// Never throws: a broken feed is that feed's recorded error.
    /// - Parameter now: the wall-clock time to record and schedule from
    ///   (injected by tests); by default the time the fetch finished.
    public func poll(_ feed: FeedConfig, now injectedNow: Date? = nil, gate: HostGateHandle = HostGateHandle(),
                     countErrors: Bool = true, prefetched: PrefetchedState? = nil) async -> PollReport {
        let (config, rules) = lock.withLock { current }
        var report = PollReport(url: feed.url, outcome: "error", host: Self.host(of: feed.url))
        do {
            let stored = try prefetched.map(\.state) ?? store.feedState(feed.url)
            var state = stored ?? FeedState.new(configuredURL: feed.url, name: feed.name)
            if state.gone {
                report.outcome = "gone"
                return report
            }
            // Politeness is per host of the URL actually requested (after a
            // persisted permanent redirect, the new host).
            report.host = Self.host(of: state.currentURL)
            guard await gate.gate.acquire(host: report.host, maxPerHost: config.maxPerHost,
                                          delay: config.perHostDelay) else {
                // Shutdown while waiting for the host: nothing fetched, nothing to record.
                report.error = "cancelled"
                report.nextDue = state.nextDue
                return report
            }
            let request = FetchRequest(url: state.currentURL, etag: state.etag, lastModified: state.lastModified)
            let result = await fetcher.fetch(request)
            await gate.gate.release(host: report.host)
            if Task.isCancelled && result.outcome == .error {
                // Shutdown abandoned this transfer: not the feed's fault, nothing to record.
                report.error = "cancelled"
                report.nextDue = state.nextDue
                return report
            }
            let now = injectedNow ?? Date()
            report.status = result.status
            report.outcome = result.outcome.rawValue
            state.lastFetch = now
            state.lastStatus = result.status
            var hints = state.pollHints
            hints.cacheMaxAge = result.cacheMaxAgeSeconds
            hints.expires = result.expires
            let settings = ScheduleSettings(minInterval: config.minInterval, maxInterval: config.maxInterval,
                                            maxBackoff: config.maxBackoff)
            let configured = config.interval(of: feed)

            switch result.outcome {
            case .notModified:
                succeed(&state, hints: hints, configured: configured, settings: settings, now: now)
                _ = try await committer.submit(.state(state, sync: false))
            case .gone:
                state.gone = true
                state.nextDue = nil
                state.lastError = "410 Gone: the publisher removed this feed; it is no longer polled"
                _ = try await committer.submit(.state(state))
                logger.warning("feed gone", metadata: ["feed": "\(feed.url)"])
            case .error:
                let message = result.error.map { "\($0)" } ?? "fetch failed"
                report.error = message
                report.networkFailure = result.status == nil
                fail(&state, message: message, retryAfter: result.retryAfterSeconds, hints: hints,
                     configured: configured, settings: settings, now: now, count: countErrors || !report.networkFailure)
                _ = try await committer.submit(.state(state))
            case .fetched:
                try await ingest(result, feed: feed, state: &state, hints: hints, report: &report,
                                 config: config, rules: rules, now: now)
            }
            report.nextDue = state.nextDue
        } catch {
            report.outcome = "error"
            report.error = "\(error)"
            // The store failed (locked, disk full): retry soon, not never.
            report.nextDue = Date().addingTimeInterval(TimeInterval(config.minInterval))
            logger.error("feed poll failed", metadata: ["feed": "\(feed.url)", "error": "\(error)"])
        }
        return report
    }

    /// A 200 with a body: remember a permanent move and the validators, skip
    /// an unchanged body, else parse → score → (committer: dedup, store, outbox).
    private func ingest(_ result: FetchResult, feed: FeedConfig, state: inout FeedState, hints: PollHints,
                        report: inout PollReport, config: DaemonConfig, rules: KeywordRules, now: Date) async throws {
        var hints = hints
        let settings = ScheduleSettings(minInterval: config.minInterval, maxInterval: config.maxInterval,
                                        maxBackoff: config.maxBackoff)
        let configured = config.interval(of: feed)
        if let moved = result.permanentURL, moved != state.currentURL {
            // RFC 9110 §15.4.2/§15.4.9: a permanent redirect — use the new URL from now on.
            logger.info("feed moved permanently", metadata: ["feed": "\(feed.url)", "to": "\(moved)"])
            state.currentURL = moved
        }
        state.etag = result.etag
        state.lastModified = result.lastModified
        if let hash = result.bodyHash, hash == state.bodyHash {
            // Same body as last time: nothing to parse.
            succeed(&state, hints: hints, configured: configured, settings: settings, now: now)
            _ = try await committer.submit(.state(state))
            return
        }
        let parsed: ParsedFeed
        do {
            parsed = try FeedParser.parse(result.body, contentType: result.contentType,
                                          baseURL: result.finalURL ?? state.currentURL)
        } catch {
            let message = "not a feed: \(error)"
            report.outcome = "error"
            report.error = message
            // Fetch it whole next time: the same validators would hide a fix.
            state.etag = nil
            state.lastModified = nil
            fail(&state, message: message, retryAfter: nil, hints: hints, configured: configured,
                 settings: settings, now: now, count: true)
            _ = try await committer.submit(.state(state))
            return
        }
        hints.ttl = parsed.hints.ttlSeconds
        hints.updatePeriod = parsed.hints.updatePeriodSeconds
        hints.skipHours = parsed.hints.skipHours
        hints.skipDays = parsed.hints.skipDays
        state.bodyHash = result.bodyHash
        succeed(&state, hints: hints, configured: configured, settings: settings, now: now)
        let processor = ArticleProcessor(feed: feed, feedName: feed.name ?? parsed.title ?? feed.url, rules: rules,
                                         alertBacklog: config.alertBacklog, firstFetch: !state.firstFetchDone, now: now)
        let store = self.store
        let prepared = try processor.prepare(items: parsed.items) {
            try store.knownArticles(feedURL: feed.url, identities: $0)
        }
        let committed = try await committer.submit(.fetch(processor: processor, prepared: prepared, state: state))
        report.newArticles = committed.inserted
        report.alerts = committed.alertsQueued
    }

    private func succeed(_ state: inout FeedState, hints: PollHints, configured: Int, settings: ScheduleSettings, now: Date) {
        state.consecutiveErrors = 0
        state.lastError = nil
        state.retryAfterUntil = nil
        state.pollHints = hints
        state.nextDue = Schedule.nextDue(feedKey: state.configuredURL, configured: configured, hints: hints,
                                         outcome: .success, consecutiveErrors: 0, settings: settings, now: now)
    }

    private func fail(_ state: inout FeedState, message: String, retryAfter: Int?, hints: PollHints, configured: Int,
                      settings: ScheduleSettings, now: Date, count: Bool) {
        if count { state.consecutiveErrors += 1 }
        state.lastError = message
        state.pollHints = hints
        if let r = retryAfter {
            state.retryAfterUntil = now.addingTimeInterval(TimeInterval(min(r, settings.retryAfterCap)))
        }
        state.nextDue = Schedule.nextDue(feedKey: state.configuredURL, configured: configured, hints: hints,
                                         outcome: .failure(retryAfter: retryAfter),
                                         consecutiveErrors: max(state.consecutiveErrors, 1), settings: settings, now: now)
    }

    // MARK: - delivery

    /// Blocking store and file work (outbox delivery, pruning) runs here, off
    /// Swift's cooperative pool (DESIGN.md rule 6): a database held locked by
    /// another process must not starve the scheduler and the watchdog.
    private let blockingQueue = DispatchQueue(label: "feedwatch.blocking")

    /// `deliverOutbox()` on the blocking queue, awaited.
    @discardableResult
    public func deliverOutboxOffPool() async -> Int {
        await offPool { self.deliverOutbox() }
    }

    /// Runs blocking work on the blocking queue and awaits its result.
    public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            blockingQueue.async { c.resume(returning: work()) }
        }
    }

    /// Delivers pending outbox rows to both sinks. An alert is marked delivered
    /// per sink only after that sink's write is durable; a failing sink keeps
    /// its alerts in the outbox for the next attempt and does not block the
    /// other sink. Returns how many writes succeeded.
    @discardableResult
    public func deliverOutbox() -> Int {
        deliveryLock.lock()
        defer { deliveryLock.unlock() }
        var delivered = 0
        for sink in [AlertSink.spool, AlertSink.log] {
            do {
                while true {
                    let pending = try store.pendingOutbox(for: sink, limit: 200)
                    if pending.isEmpty { break }
                    for entry in pending {
                        do {
                            switch sink {
                            case .spool: try spool.deliver(id: entry.alertID, payload: entry.payload)
                            case .log: try alertLog.deliver(id: entry.alertID, payload: entry.payload)
                            }
                            try store.markDelivered([entry.alertID], sink: sink, at: Date())
                            delivered += 1
                        } catch {
                            try? store.recordDeliveryFailure(entry.alertID, sink: sink, error: "\(error)")
                            logger.error("alert delivery failed; kept in outbox",
                                         metadata: ["sink": "\(sink.rawValue)", "alert": "\(entry.alertID)", "error": "\(error)"])
                            throw error
                        }
                    }
                }
            } catch {
                continue
            }
        }
        return delivered
    }

    /// After a crash between appending to the alert log and marking the row
    /// delivered, the log already holds the line: mark it instead of appending
    /// it twice.
    func reconcileAlertLog() throws {
        let pending = try store.pendingOutbox(for: .log, limit: 100_000)
        guard !pending.isEmpty else { return }
        let inLog = alertLog.recentIDs()
        let done = pending.map(\.alertID).filter { inLog.contains($0) }
        if !done.isEmpty {
            try store.markDelivered(done, sink: .log, at: Date())
        }
    }
}

public enum EngineError: Error, CustomStringConvertible {
    case unusablePath(String, String)

    public var description: String {
        switch self {
        case .unusablePath(let p, let why): return "cannot use \(p): \(why)"
        }
    }
}

/// A feed's stored state read ahead by `runPass` (`state` nil: not stored yet).
public struct PrefetchedState: Sendable {
    public var state: FeedState?
}

extension FeedState {
    static func new(configuredURL: String, name: String?) -> FeedState {
        var s = FeedState(configuredURL: configuredURL)
        s.name = name
        return s
    }

    /// The scheduler's hints, kept as JSON in the store.
    var pollHints: PollHints {
        get { hintsJSON.map(PollHints.init(storedJSON:)) ?? PollHints() }
        set { hintsJSON = newValue.storedJSON }
    }
}
