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
        engine.deliverOutbox()
        notify?.send("STOPPING=1")
        logger.info("feedwatch stopped")
    }

    // MARK: scheduler

    func schedulerLoop() async {
        let gate = HostGateHandle()
        var outage = OutageDetector()
        await withDiscardingTaskGroup { polls in
            var lastStatus = ContinuousClock.now
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await state.beat()
                let inFlight = await state.inFlight()
                let width = engine.config.maxConcurrent - inFlight.count
                if width > 0, let due = try? engine.dueFeeds(now: Date(), all: false) {
                    let launch = due.filter { !inFlight.contains($0.url) }.prefix(width)
                    let counting = !outage.isOutage
                    for feed in launch {
                        await state.start(feed.url)
                        polls.addTask {
                            let reports = await self.engine.runPass([feed], gate: gate, countErrors: counting)
                            await self.state.finish(feed.url, reports: reports)
                        }
                    }
                }
                for report in await state.takeReports() {
                    outage.record(host: report.host, networkFailure: report.networkFailure)
                    log(report)
                }
                if outage.isOutage {
                    // Our network is down: pause, then probe again without
                    // charging the feeds with errors (they were rescheduled
                    // with a backoff that did not count this failure).
                    logger.warning("network outage suspected; pausing polls", metadata: ["pause": "60s"])
                    notify?.send("STATUS=network outage suspected; polls paused")
                    try? await Task.sleep(for: .seconds(60))
                    outage.reset()
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
        let usec = UInt64(DispatchTime.now().uptimeNanoseconds / 1000)
        notify?.send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
        do {
            let bundle = try ConfigBundle.load(configPath: configPath)
            try engine.reload(config: bundle.config, rules: bundle.rules)
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

    func beat() { lastBeat = .now }
    func sinceLastBeat() -> Duration { ContinuousClock.now - lastBeat }
    func inFlight() -> Set<String> { running }
    func start(_ url: String) { running.insert(url) }
    func finish(_ url: String, reports new: [Engine.PollReport]) {
        running.remove(url)
        reports += new
    }
    func takeReports() -> [Engine.PollReport] {
        defer { reports = [] }
        return reports
    }
}

/// DispatchSource is thread-safe (its API may be called from any queue) but not
/// marked Sendable.
private final class SignalSourceBox: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
