import Foundation
import Testing
@testable import FeedwatchDaemon

@Suite struct ScheduleTests {
    let settings = ScheduleSettings(minInterval: 60, maxInterval: 86400, maxBackoff: 6 * 3600)
    // Monday 2026-11-30 10:00:00 UTC
    let now = Date(timeIntervalSince1970: 1_796_032_800)

    func due(_ configured: Int = 900, hints: PollHints = PollHints(), outcome: PollOutcome = .success,
             errors: Int = 0, key: String = "k") -> Int? {
        var s = settings
        s.jitterFraction = 0
        return Schedule.nextDue(feedKey: key, configured: configured, hints: hints, outcome: outcome,
                                consecutiveErrors: errors, settings: s, now: now)
            .map { Int($0.timeIntervalSince(now)) }
    }

    @Test func table() {
        let rows: [(String, Int?, Int?)] = [
            ("plain interval", due(), 900),
            ("clamped to min", due(10), 60),
            ("clamped to max", due(10 * 86400), 86400),
            ("ttl raises", due(hints: PollHints(ttl: 3600)), 3600),
            ("ttl lower than interval ignored", due(hints: PollHints(ttl: 60)), 900),
            ("sy:updatePeriod raises", due(hints: PollHints(updatePeriod: 7200)), 7200),
            ("max-age raises", due(hints: PollHints(cacheMaxAge: 1800)), 1800),
            ("expires raises", due(hints: PollHints(expires: now.addingTimeInterval(2000))), 2000),
            ("expired Expires ignored", due(hints: PollHints(expires: now.addingTimeInterval(-50))), 900),
            ("hint capped by max", due(hints: PollHints(ttl: 30 * 86400)), 86400),
            ("first error", due(outcome: .failure(retryAfter: nil), errors: 1), 900),
            ("third error doubles twice", due(outcome: .failure(retryAfter: nil), errors: 3), 3600),
            ("backoff capped", due(outcome: .failure(retryAfter: nil), errors: 30), 6 * 3600),
            ("retry-after honoured", due(outcome: .failure(retryAfter: 7200), errors: 1), 7200),
            ("retry-after capped at a day", due(outcome: .failure(retryAfter: 10 * 86400), errors: 1), 86400),
            ("gone never again", due(outcome: .gone), nil),
        ]
        for (name, got, want) in rows {
            #expect(got == want, "\(name)")
        }
    }

    @Test func skipHoursAndDays() {
        // Due at 10:15 Monday; hours 10 and 11 skipped → 12:00.
        #expect(due(hints: PollHints(skipHours: [10, 11])) == 2 * 3600)
        // Monday (weekday 2) skipped → Tuesday 00:00 = 14 h later.
        #expect(due(hints: PollHints(skipDays: [2])) == 14 * 3600)
        // Skipping every hour is a broken hint: ignored.
        #expect(due(hints: PollHints(skipHours: Set(0..<24))) == 900)
    }

    @Test func jitterIsStableAndBounded() {
        let a = Schedule.jitter(feedKey: "https://a.example/rss", interval: 900, fraction: 0.1)
        #expect(a == Schedule.jitter(feedKey: "https://a.example/rss", interval: 900, fraction: 0.1))
        #expect((0..<90).contains(a))
        let offsets = Set((0..<50).map { Schedule.jitter(feedKey: "https://f\($0).example/", interval: 900, fraction: 0.1) })
        #expect(offsets.count > 20)   // feeds added together are spread out
    }

    @Test func outageNeedsManyHostsFailing() {
        var d = OutageDetector(window: 6, threshold: 0.8, minHosts: 3)
        for i in 0..<6 { d.record(host: "h\(i % 3)", networkFailure: true) }
        #expect(d.isOutage)
        var single = OutageDetector(window: 6, threshold: 0.8, minHosts: 3)
        for _ in 0..<6 { single.record(host: "one", networkFailure: true) }
        #expect(!single.isOutage)   // one dead host is that feed's problem
        d.record(host: "h1", networkFailure: false)
        d.record(host: "h2", networkFailure: false)
        #expect(!d.isOutage)
    }
}

/// Per-host politeness (CONTRACT `max_per_host`, `per_host_delay`): asserts the
/// lower bounds the gate promises, not a speed.
@Suite struct HostGateTests {
    @Test func requestStartsToOneHostAreSpacedAndOtherHostsAreNot() async {
        let gate = HostGate()
        let clock = ContinuousClock()
        let t0 = clock.now
        await gate.acquire(host: "a.example", maxPerHost: 4, delay: 0.3)
        await gate.acquire(host: "b.example", maxPerHost: 4, delay: 0.3)
        let otherHost = clock.now - t0
        await gate.acquire(host: "a.example", maxPerHost: 4, delay: 0.3)
        let sameHost = clock.now - t0
        #expect(otherHost < .milliseconds(250), "another host waited for a.example's delay")
        #expect(sameHost >= .milliseconds(300), "second start to a.example after \(sameHost)")
    }

    @Test func inFlightPerHostIsCapped() async {
        let gate = HostGate()
        await gate.acquire(host: "a.example", maxPerHost: 1, delay: 0)
        #expect(await gate.current(host: "a.example") == 1)
        let waiter = Task { await gate.acquire(host: "a.example", maxPerHost: 1, delay: 0); return true }
        try? await Task.sleep(for: .milliseconds(200))
        #expect(await gate.current(host: "a.example") == 1, "a second transfer started while one was in flight")
        await gate.release(host: "a.example")
        #expect(await waiter.value)
        #expect(await gate.current(host: "a.example") == 1)
    }
}

/// Waiters are woken by release, in order, without polling delays; a waiter
/// cancelled while queued takes no slot and does not strand the others.
@Suite struct HostGateWaitTests {
    /// Each release hands the slot to the longest-waiting poll (a polling
    /// gate would let whichever wakes first in).
    @Test func waitersGetTheSlotFirstComeFirstServed() async {
        let gate = HostGate()
        #expect(await gate.acquire(host: "h", maxPerHost: 1, delay: 0))
        actor Order { var got: [Int] = []; func add(_ i: Int) { got.append(i) } }
        let order = Order()
        var tasks: [Task<Void, Never>] = []
        for i in 0..<4 {
            tasks.append(Task { _ = await gate.acquire(host: "h", maxPerHost: 1, delay: 0); await order.add(i) })
            // Let waiter i queue before i + 1 starts.
            while await gate.waiting(host: "h") < i + 1 { await Task.yield() }
        }
        for i in 0..<4 {
            await gate.release(host: "h")
            while await order.got.count < i + 1 { await Task.yield() }
        }
        for t in tasks { await t.value }
        #expect(await order.got == [0, 1, 2, 3])
        #expect(await gate.current(host: "h") == 1)
    }

    @Test func cancelledWaiterTakesNoSlotAndPassesTheTurnOn() async {
        let gate = HostGate()
        #expect(await gate.acquire(host: "h", maxPerHost: 1, delay: 0))
        let cancelled = Task { await gate.acquire(host: "h", maxPerHost: 1, delay: 0) }
        while await gate.waiting(host: "h") < 1 { await Task.yield() }
        let next = Task { await gate.acquire(host: "h", maxPerHost: 1, delay: 0) }
        while await gate.waiting(host: "h") < 2 { await Task.yield() }
        cancelled.cancel()
        await gate.release(host: "h")
        #expect(await cancelled.value == false)
        #expect(await next.value == true)
        #expect(await gate.current(host: "h") == 1)
        await gate.release(host: "h")
        #expect(await gate.current(host: "h") == 0)
    }
}
