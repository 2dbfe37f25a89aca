import Foundation
import Testing
import FeedwatchStore
@testable import FeedwatchDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Issue 7: the database locked by another process while the *daemon* runs
/// (an operator's `sqlite3 … BEGIN EXCLUSIVE`, a backup tool). Reads still
/// answer (WAL), so the daemon must stay alive and keep its systemd watchdog
/// fed; commits fail with "busy" and are retried; after the lock is gone every
/// alert arrives once.
@Suite(.serialized) struct FaultLockedDaemonTests {
    /// Notify datagrams with their arrival times.
    final class TimedCollector: @unchecked Sendable { // @unchecked: `messages` only under `lock`
        let listener: NotifyListener
        private let lock = NSLock()
        private var messages: [(Date, String)] = []
        private var running = true
        init(_ l: NotifyListener) {
            listener = l
            Thread.detachNewThread { [self] in
                while lock.withLock({ running }) {
                    if let m = listener.receive() { lock.withLock { messages.append((Date(), m)) } }
                }
            }
        }
        var all: [(Date, String)] { lock.withLock { messages } }
        func stop() { lock.withLock { running = false } }
    }

    @Test("database locked for 10 s under the running daemon: watchdog keeps coming, no crash, alerts once afterwards")
    func lockedUnderDaemon() throws {
        guard Faults.binaryBuilt() else { return }
        let dir = temporaryDirectory("fault-lockdaemon")
        defer { try? FileManager.default.removeItem(at: dir) }
        var routes = try Faults.healthyRoutes(now: Date())
        var feeds = Faults.healthyPaths
        for i in 0..<5 {
            routes["/plain\(i).xml"] = ["body": rssFeed(title: "Plain \(i)", items: [
                TestItem(title: "Market day \(i)", text: "Vegetables and bread \(i).", link: "https://plain.example/\(i)",
                         published: Date())])]
            feeds.append("/plain\(i).xml")
        }
        // The relevant items appear only once the lock is held.
        var quiet = routes
        for (i, p) in Faults.healthyPaths.enumerated() {
            quiet[p] = ["body": rssFeed(title: "Healthy \(i)", items: [
                TestItem(title: "Library \(i) extends opening hours", text: "The district library \(i) now opens on Sundays.",
                         link: "https://healthy\(i).example/local/library", published: Date())])]
        }
        let server = try TestFeedServer(routes: quiet, directory: dir.appendingPathComponent("srv"))
        let configPath = try Faults.writeConfig(dir: dir, feeds: feeds.map { server.url($0) },
                                                extra: "default_interval = \"1s\"")
        // Create and migrate the database first so the locker can open it.
        _ = try Faults.engine(configPath: configPath)
        let db = dir.appendingPathComponent("state/feedwatch.sqlite").path

        let listener = try NotifyListener(abstract: false)
        let notes = TimedCollector(listener)
        defer { notes.stop() }

        let process = try Faults.startDaemon(configPath: configPath, dir: dir, notifySocket: listener.name, watchdogUSec: 3_000_000)
        let stderrURL = dir.appendingPathComponent("stderr.log")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Running and polling; then the lock, then news.
        let started = Date()
        while Date().timeIntervalSince(started) < 10 && !(notes.all.contains { $0.1.contains("READY=1") }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 2)
        let locker = try Faults.lockDatabase(db, seconds: 10)
        defer { if locker.isRunning { kill(locker.processIdentifier, SIGKILL) } }
        let lockStart = Date()
        try server.setRoutes(routes)

        locker.waitUntilExit()
        let lockEnd = Date()
        #expect(process.isRunning, "the daemon died while the database was locked")
        // Watchdog pings across the locked window: the longest silence must
        // stay under WATCHDOG_USEC, or systemd kills a healthy daemon
        // because someone else held a lock.
        let pings = notes.all.filter { $0.1 == "WATCHDOG=1" }.map(\.0)
        let ready = notes.all.first { $0.1.contains("READY=1") }?.0
        #expect(ready != nil, "no READY=1")
        var maxGap = 0.0
        var previous = lockStart
        for p in pings where p > lockStart && p <= lockEnd {
            maxGap = max(maxGap, p.timeIntervalSince(previous))
            previous = p
        }
        maxGap = max(maxGap, lockEnd.timeIntervalSince(previous))
        let err = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        let withheld = err.components(separatedBy: "watchdog withheld").count - 1
        // Store writes run on the committer's queue, off the cooperative pool,
        // so the watchdog keeps beating while another process holds the lock.
        #expect(maxGap < 3.0, "watchdog silent for \(String(format: "%.1f", maxGap)) s while the database was locked (\(pings.count) pings, \(withheld) 'watchdog withheld' logged)")
        // The lock outlasts the 5 s busy timeout once; the committer's retry then
        // succeeds or the poll fails and is retried — either way nothing is lost.
        let busy = err.components(separatedBy: "database is locked").count - 1

        // After the lock: all alerts, once.
        let logPath = dir.appendingPathComponent("log/alerts.log").path
        let end = Date().addingTimeInterval(20)
        while Date() < end && Faults.logIDs(logPath).count < 3 { Thread.sleep(forTimeInterval: 0.2) }
        Thread.sleep(forTimeInterval: 2)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let ids = Faults.logIDs(logPath)
        #expect(ids.count == 3 && Set(ids).count == 3, "\(Faults.logTitles(logPath))")
        #expect(Faults.spoolNames(dir.appendingPathComponent("spool").path) == ids.map { "\($0).json" }.sorted())
        #expect(Faults.integrityCheck(db) == "ok")
        Faults.summary("daemon-database-locked", injected: busy, alertsVerified: ids.count,
                       "lock_s=\(String(format: "%.1f", lockEnd.timeIntervalSince(lockStart))) max_watchdog_gap_s=\(String(format: "%.1f", maxGap)) pings=\(pings.count)")
    }
}
