import Foundation
import Testing
import FeedwatchCore
import FeedwatchStore
@testable import FeedwatchDaemon

/// Issue 7, clock jumps. Where the wall clock is used: `nextDue`,
/// `retryAfterUntil` and `lastFetch` are wall-clock dates stored in the
/// database (by design: they must survive restarts), and `dueFeeds(now:)`
/// compares them with `Date()`. Spacing between requests to one host
/// (`HostGate`), the scheduler tick, the watchdog and the shutdown grace use
/// `ContinuousClock` (monotonic) and cannot be fooled by a jump. `faketime` is
/// not available, so the jumps are simulated by passing `now` explicitly to
/// `Engine.poll(_:now:)` and `Engine.dueFeeds(now:all:)`, exactly the values
/// the daemon would read from `Date()` after the jump.
@Suite(.serialized) struct FaultClockTests {
    static func setUp(_ name: String) throws -> (TestFeedServer, Engine, URL) {
        let root = temporaryDirectory("fault-clock-\(name)")
        let server = try Faults.healthyServer(root)
        let config = try Faults.writeConfig(dir: root.appendingPathComponent("run"), feeds: Faults.healthyPaths.map { server.url($0) },
                                            extra: "default_interval = \"60s\"")
        return (server, try Faults.engine(configPath: config), root.appendingPathComponent("run"))
    }

    static func pollAll(_ engine: Engine, now: Date) async throws -> [Engine.PollReport] {
        var reports: [Engine.PollReport] = []
        for feed in engine.config.feeds { reports.append(await engine.poll(feed, now: now)) }
        engine.deliverOutbox()
        return reports
    }

    @Test("wall clock jumps forward a day: every feed is due once, then back on its interval — no burst loop, no re-alert")
    func forwardJump() async throws {
        let (server, engine, dir) = try Self.setUp("fwd")
        _ = server
        let t = Date()
        let first = try await Self.pollAll(engine, now: t)
        #expect(first.allSatisfy { $0.error == nil })
        let logPath = dir.appendingPathComponent("log/alerts.log").path
        let alerts = Faults.logIDs(logPath)
        #expect(alerts.count == 3)
        #expect(try engine.dueFeeds(now: t.addingTimeInterval(30), all: false).isEmpty)

        let jumped = t.addingTimeInterval(86400)
        let due = try engine.dueFeeds(now: jumped, all: false)
        #expect(due.count == 3)
        let after = try await Self.pollAll(engine, now: jumped)
        #expect(after.allSatisfy { $0.error == nil && ($0.outcome == "not_modified" || $0.outcome == "fetched") })
        // Rescheduled from the new "now": nothing due a second later, all due
        // again one interval (+ ≤10 % jitter) later.
        #expect(try engine.dueFeeds(now: jumped.addingTimeInterval(1), all: false).isEmpty)
        #expect(try engine.dueFeeds(now: jumped.addingTimeInterval(67), all: false).count == 3)
        #expect(Faults.logIDs(logPath) == alerts, "a clock jump re-alerted")
        Faults.summary("clock-forward-1d", injected: 1, alertsVerified: alerts.count)
    }

    @Test("wall clock jumps back an hour: feeds are not starved forever (bounded by the jump), nothing re-alerts")
    func backwardJump() async throws {
        let (server, engine, dir) = try Self.setUp("back")
        _ = server
        let t = Date()
        _ = try await Self.pollAll(engine, now: t)
        let logPath = dir.appendingPathComponent("log/alerts.log").path
        let alerts = Faults.logIDs(logPath)
        #expect(alerts.count == 3)

        // The clock is set back an hour; two minutes of real time pass (two
        // intervals). The feeds ought to be due again.
        let back = t.addingTimeInterval(-3600 + 120)
        let dueAfterJump = try engine.dueFeeds(now: back, all: false)
        #expect(dueAfterJump.count == 3, "feeds starved after the clock went back 1 h")
        // Not forever: once the wall clock is past the stored nextDue again
        // (jump size + interval + jitter), every feed is due — once.
        #expect(try engine.dueFeeds(now: t.addingTimeInterval(67), all: false).count == 3)
        // Polling at the jumped-back time reschedules from it (no runaway).
        _ = try await Self.pollAll(engine, now: back)
        let states = try engine.store.allFeedStates()
        for s in states {
            let next = try #require(s.nextDue)
            #expect(next > back && next <= back.addingTimeInterval(67), "nextDue \(next) after polling at \(back)")
        }
        #expect(try engine.dueFeeds(now: back.addingTimeInterval(1), all: false).isEmpty, "burst after the jump")
        #expect(Faults.logIDs(logPath) == alerts, "a clock jump re-alerted")
        Faults.summary("clock-back-1h", injected: 1, alertsVerified: alerts.count, "starved_feeds=\(3 - dueAfterJump.count)")
    }

    @Test("schedule maths after a jump: backoff and Retry-After stay relative to the now they were computed at")
    func scheduleMathsIsRelative() {
        let settings = ScheduleSettings(minInterval: 60, maxInterval: 86400, maxBackoff: 6 * 3600)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        for jump: TimeInterval in [-3600, 0, 86400, 365 * 86400] {
            let now = t.addingTimeInterval(jump)
            let ok = Schedule.nextDue(feedKey: "k", configured: 900, hints: PollHints(), outcome: .success,
                                      consecutiveErrors: 0, settings: settings, now: now)!
            #expect(ok.timeIntervalSince(now) >= 900 && ok.timeIntervalSince(now) < 990)
            let failing = Schedule.nextDue(feedKey: "k", configured: 900, hints: PollHints(), outcome: .failure(retryAfter: nil),
                                           consecutiveErrors: 30, settings: settings, now: now)!
            #expect(failing.timeIntervalSince(now) == 6 * 3600, "backoff must be capped, never giving up")
            let limited = Schedule.nextDue(feedKey: "k", configured: 900, hints: PollHints(), outcome: .failure(retryAfter: 10 * 86400),
                                           consecutiveErrors: 1, settings: settings, now: now)!
            #expect(limited.timeIntervalSince(now) == 86400, "Retry-After capped at 24 h")
            // An Expires hint in the past (the clock jumped forward past it) is ignored, not negative.
            let expired = Schedule.effectiveInterval(configured: 900, hints: PollHints(expires: t.addingTimeInterval(-7200)),
                                                     settings: settings, now: now)
            #expect(expired >= 900)
        }
    }
}
