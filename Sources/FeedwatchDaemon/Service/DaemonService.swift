import Foundation
import Logging
import ServiceLifecycle
import FeedwatchCore
import FeedwatchStore

/// `feedwatch run`: the scheduler loop as a swift-service-lifecycle Service.
/// SIGTERM/SIGINT → graceful shutdown (stop launching, let in-flight polls
/// finish for a few seconds, cancel the rest, flush the outbox, STOPPING=1).
/// SIGHUP → reload both config files; an invalid edit is logged as
/// `FILE:LINE: message` and the daemon keeps its old config.
public final class DaemonService: Service, @unchecked Sendable {
    let engine: Engine
    let configPath: String
    let notify: SDNotify?
    let logger: Logger
    /// How long in-flight polls may run after SIGTERM before they are cancelled.
    let shutdownGrace: Duration
    /// Scheduler tick; also the watchdog's liveness unit.
    let tick: Duration
    private let state = DaemonState()

    public init(engine: Engine, configPath: String, notify: SDNotify?, logger: Logger,
                shutdownGrace: Duration = .seconds(5), tick: Duration = .milliseconds(500)) {
        self.engine = engine
        self.configPath = configPath
        self.notify = notify
        self.logger = logger
        self.shutdownGrace = shutdownGrace
        self.tick = tick
    }

    public func run() async throws {
        // READY only now: the store is open and migrated, the config loaded.
        notify?.send("READY=1\nSTATUS=\(statusLine())")
        logger.info("feedwatch started", metadata: ["feeds": "\(engine.config.feeds.count)", "config": "\(configPath)"])
        let hangups = Self.signalStream(SIGHUP)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchdogLoop() }
            group.addTask {
                for await _ in hangups {
                    if Task.isCancelled { break }
                    await self.reload()
                }
            }
            await self.schedulerLoop()
            group.cancelAll()
        }
        await engine.deliverOutboxOffPool()
        notify?.send("STOPPING=1")
        logger.info("feedwatch stopped")
    }

    // MARK: scheduler

    func schedulerLoop() async {
        let gate = HostGateHandle()
        var outage = OutageDetector()
        var scheduleGeneration = await state.generation()
        var schedule = (try? engine.schedule()) ?? [:]
        // The configured feeds by URL, rebuilt with the schedule on reload
        // only: building it on every tick cost a 10,000-entry dictionary
        // twice a second while idle.
        var feedsByURL = Self.feedsByURL(engine.config)
        await withDiscardingTaskGroup { polls in
            var lastStatus = ContinuousClock.now
            var lastPrune: ContinuousClock.Instant?
            var lastTrim = ContinuousClock.now
            var lastDelivery = ContinuousClock.now
            var lastWall = Date()
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await state.beat()
                // Reports and the in-flight set are read together, so a feed that
                // just finished is never relaunched on its stale due time.
                let (inFlight, reports, generation) = await state.snapshot()
                if generation != scheduleGeneration {
                    // Reloaded: feeds may have been added or removed.
                    schedule = (try? engine.schedule()) ?? schedule
                    feedsByURL = Self.feedsByURL(engine.config)
                    scheduleGeneration = generation
                }
                for report in reports {
                    outage.record(host: report.host, networkFailure: report.networkFailure)
                    if schedule[report.url] != nil {
                        if let next = report.nextDue { schedule[report.url] = next } else { schedule[report.url] = nil }
                    }
                    log(report)
                }
                if outage.isOutage {
                    // Our network is down: pause, then probe again; meanwhile
                    // failures are not charged to the feeds.
                    logger.warning("network outage suspected; pausing polls", metadata: ["pause": "60s"])
                    notify?.send("STATUS=network outage suspected; polls paused")
                    // In steps, so SIGTERM during the pause stops the daemon
                    // within a tick, not after the rest of the minute.
                    let resume = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < resume && !Task.isShuttingDownGracefully && !Task.isCancelled {
                        await state.beat()
                        try? await Task.sleep(for: tick)
                    }
                    outage.reset()
                    continue
                }
                // The wall clock was set back: shift every due time by the jump,
                // so no feed waits the jump on top of its interval. (Forward
                // jumps need nothing: feeds simply come due.)
                let wall = Date()
                if wall < lastWall.addingTimeInterval(-5) {
                    let jump = lastWall.timeIntervalSince(wall)
                    logger.warning("wall clock went back; rescheduling", metadata: ["seconds": "\(Int(jump))"])
                    for (url, due) in schedule { schedule[url] = due.addingTimeInterval(-jump) }
                }
                lastWall = wall
                let width = engine.config.maxConcurrent - inFlight.count
                if width > 0 {
                    let now = wall
                    let due = schedule.filter { $0.value <= now && !inFlight.contains($0.key) }
                        .sorted { $0.value < $1.value }.prefix(width)
                    for (url, _) in due {
                        guard let feed = feedsByURL[url] else { schedule[url] = nil; continue }
                        await state.start(url)
                        let counting = !outage.isOutage
                        polls.addTask {
                            let report = await self.engine.poll(feed, gate: gate, countErrors: counting)
                            await self.engine.deliverOutboxOffPool()
                            await self.state.finish(url, report: report)
                        }
                    }
                }
                // Alerts left in the outbox by a failing sink (disk full, spool
                // unwritable) are retried even when no feed is due.
                if ContinuousClock.now - lastDelivery > .seconds(30) {
                    polls.addTask { await self.engine.deliverOutboxOffPool() }
                    lastDelivery = .now
                }
                if lastPrune.map({ ContinuousClock.now - $0 > .seconds(3600) }) ?? true {
                    polls.addTask { await self.engine.offPool { self.prune() } }
                    lastPrune = .now
                }
                if ContinuousClock.now - lastTrim > .seconds(60) {
                    polls.addTask { _ = await self.engine.offPool { HeapTrim.release() } }
                    lastTrim = .now
                }
                if ContinuousClock.now - lastStatus > .seconds(10) {
                    notify?.send("STATUS=\(statusLine())")
                    lastStatus = .now
                }
                try? await Task.sleep(for: tick)
            }
            // Graceful: let in-flight work finish for a moment, then cancel it.
            let deadline = ContinuousClock.now + shutdownGrace
            while await !state.inFlight().isEmpty && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            polls.cancelAll()
        }
    }

    /// Retention: article text older than `retention` is dropped; identities
    /// stay (tombstones) so a pruned item never alerts again.
    func prune() {
        let retention = engine.config.retention
        guard retention > 0 else { return }
        do {
            let n = try engine.store.prune(bodiesOlderThan: Date().addingTimeInterval(-TimeInterval(retention)))
            if n > 0 { logger.info("old article text pruned", metadata: ["articles": "\(n)"]) }
        } catch {
            logger.error("pruning failed", metadata: ["error": "\(error)"])
        }
    }

    func log(_ r: Engine.PollReport) {
        var meta: Logger.Metadata = ["feed": "\(r.url)", "outcome": "\(r.outcome)"]
        if let s = r.status { meta["status"] = "\(s)" }
        if r.newArticles > 0 { meta["new"] = "\(r.newArticles)" }
        if r.alerts > 0 { meta["alerts"] = "\(r.alerts)" }
        if let e = r.error {
            meta["error"] = "\(e)"
            logger.warning("feed fetch failed", metadata: meta)
        } else {
            logger.info("feed polled", metadata: meta)
        }
    }

    func statusLine() -> String {
        let states = (try? engine.store.allFeedStates()) ?? []
        let configured = Set(engine.config.feeds.map(\.url))
        let mine = states.filter { configured.contains($0.configuredURL) }
        let errors = mine.filter { $0.consecutiveErrors > 0 }.count
        let gone = mine.filter(\.gone).count
        let alerts = mine.reduce(0) { $0 + $1.alerts }
        return "\(configured.count) feeds, \(errors) failing, \(gone) gone, \(alerts) alerts"
    }

    // MARK: watchdog

    /// WATCHDOG=1 at half of WATCHDOG_USEC, only while the scheduler loop is
    /// beating and the database answers — a hung loop or a wedged database
    /// lets systemd restart us (Restart=on-failure).
    func watchdogLoop() async {
        guard let notify, let interval = notify.watchdogInterval else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let age = await state.sinceLastBeat()
            let healthy = age < max(interval * 2, tick * 10) && (try? engine.store.ping()) != nil
            if healthy {
                notify.send("WATCHDOG=1")
            } else {
                logger.error("watchdog withheld: scheduler or database not responding")
            }
        }
    }

    // MARK: reload

    func reload() async {
        notify?.reloading()
        do {
            let bundle = try ConfigBundle.load(configPath: configPath)
            try engine.reload(config: bundle.config, rules: bundle.rules)
            await state.bumpGeneration()
            logger.info("configuration reloaded", metadata: ["feeds": "\(bundle.config.feeds.count)",
                                                             "terms": "\(bundle.rules.termCount)"])
        } catch let problems as ConfigProblems {
            for p in problems.problems {
                logger.error("reload rejected; keeping the previous configuration", metadata: ["problem": "\(p)"])
                FileHandle.standardError.write(Data("\(p)\n".utf8))
            }
        } catch {
            logger.error("reload failed; keeping the previous configuration", metadata: ["error": "\(error)"])
        }
        notify?.send("READY=1\nSTATUS=\(statusLine())")
    }

    static func feedsByURL(_ config: DaemonConfig) -> [String: FeedConfig] {
        Dictionary(config.feeds.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// SIGHUP as an async sequence (the default action, terminate, is disabled).
    static func signalStream(_ sig: Int32) -> AsyncStream<Void> {
        signal(sig, SIG_IGN)
        return AsyncStream { continuation in
            let source = SignalSourceBox(DispatchSource.makeSignalSource(signal: sig, queue: .global()))
            source.source.setEventHandler { continuation.yield() }
            source.source.resume()
            continuation.onTermination = { _ in source.source.cancel() }
        }
    }
}

/// Mutable scheduler bookkeeping shared by the loop, the polls and the watchdog.
actor DaemonState {
    private var running: Set<String> = []
    private var reports: [Engine.PollReport] = []
    private var lastBeat = ContinuousClock.now
    private var configGeneration = 0

    func beat() { lastBeat = .now }
    func sinceLastBeat() -> Duration { ContinuousClock.now - lastBeat }
    func inFlight() -> Set<String> { running }
    func start(_ url: String) { running.insert(url) }
    func finish(_ url: String, report: Engine.PollReport) {
        running.remove(url)
        reports.append(report)
    }
    func generation() -> Int { configGeneration }
    func bumpGeneration() { configGeneration += 1 }
    /// In-flight feeds, finished reports (taken) and the config generation, atomically.
    func snapshot() -> (Set<String>, [Engine.PollReport], Int) {
        defer { reports = [] }
        return (running, reports, configGeneration)
    }
}

/// DispatchSource is thread-safe (its API may be called from any queue) but not
/// marked Sendable.
private final class SignalSourceBox: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
