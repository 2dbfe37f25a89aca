import Foundation
import Logging
import Testing
import FeedwatchCore
import FeedwatchStore
@testable import FeedwatchDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Issue 7, storage faults: the spool/log disk full while alerts are due, the
/// state (SQLite) disk full during a commit, and the database locked by
/// another process during a pass. Each: nothing crashes, nothing is lost, and
/// once the fault is gone every alert is written exactly once.
@Suite(.serialized) struct FaultStorageTests {
    /// The healthy server and the alert ids a clean pass over it produces.
    static func healthyReference(_ root: URL) async throws -> (server: TestFeedServer, expected: [String]) {
        let server = try Faults.healthyServer(root)
        return (server, try await referenceIDs(server: server, root: root))
    }

    /// The alert ids a run of the healthy feeds alone produces (reference).
    static func referenceIDs(server: TestFeedServer, root: URL) async throws -> [String] {
        let dir = root.appendingPathComponent("ref")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) })
        let engine = try Faults.engine(configPath: config)
        _ = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        let ids = Faults.logIDs(dir.appendingPathComponent("log/alerts.log").path).sorted()
        #expect(ids.count == Faults.healthyEvents.count)
        return ids
    }

    @Test("spool and alert log on a full disk: alerts stay in the outbox, then arrive exactly once when space returns",
          .enabled(if: Faults.canMountTmpfs, "needs permission to mount a tmpfs (root); skipped"))
    func spoolAndLogDiskFull() async throws {
        let root = temporaryDirectory("fault-spoolfull")
        let (server, expected) = try await Self.healthyReference(root)

        let small = root.appendingPathComponent("small")
        try #require(Faults.mountTmpfs(small, size: "64k"), "mount -t tmpfs failed")
        defer { Faults.unmount(small) }
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) },
                                            spoolDir: small.path + "/spool", alertLog: small.path + "/log/alerts.log")
        let capture = LogCapture()
        let engine = try Faults.engine(configPath: config, logger: capture.logger)
        let logPath = small.path + "/log/alerts.log"
        let spoolPath = small.path + "/spool"

        // Fill the small disk, then run a pass whose alerts are due.
        let filler = small.path + "/filler"
        let filled = Faults.fill(filler)
        #expect(filled > 0)
        let reports = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        #expect(reports.allSatisfy { $0.error == nil }, "the fetch and commit do not touch the full disk: \(reports.map { $0.error ?? "" })")
        #expect(reports.map(\.alerts).reduce(0, +) == expected.count)
        // Nothing reached either sink; everything is still in the outbox.
        #expect(Faults.logIDs(logPath).isEmpty)
        #expect(Faults.spoolNames(spoolPath).isEmpty)
        #expect(try engine.store.pendingOutbox(for: .spool, limit: 100).count == expected.count)
        #expect(try engine.store.pendingOutbox(for: .log, limit: 100).count == expected.count)
        // The error was logged (once per sink per attempt).
        var failures = capture.count("alert delivery failed; kept in outbox")
        #expect(failures >= 2)
        #expect(capture.all.contains { $0.metadata.contains("No space left on device") || $0.metadata.contains("ENOSPC") },
                "no ENOSPC in the logged errors: \(capture.all.map(\.metadata))")

        // Retries while the disk stays full drop nothing.
        for _ in 0..<3 { #expect(engine.deliverOutbox() == 0) }
        failures = capture.count("alert delivery failed; kept in outbox")
        #expect(try engine.store.pendingOutbox(for: .log, limit: 100).count == expected.count)

        // Space returns: the next delivery writes every alert exactly once.
        try FileManager.default.removeItem(atPath: filler)
        #expect(engine.deliverOutbox() == 2 * expected.count)
        #expect(Faults.logIDs(logPath).sorted() == expected)
        #expect(Faults.spoolNames(spoolPath) == expected.map { "\($0).json" }.sorted())
        #expect(try engine.store.pendingOutbox(for: .spool, limit: 100).isEmpty)
        #expect(try engine.store.pendingOutbox(for: .log, limit: 100).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spoolPath + "/tmp").isEmpty, "leftovers in spool/tmp")

        // And again: a later pass and delivery add nothing.
        _ = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        #expect(engine.deliverOutbox() == 0)
        #expect(Faults.logIDs(logPath).sorted() == expected)
        Faults.summary("spool+log-disk-full", injected: failures, alertsVerified: 2 * expected.count)
    }

    @Test("the running daemon with a full spool/log disk: keeps polling, delivers every alert once when space returns",
          .enabled(if: Faults.canMountTmpfs, "needs permission to mount a tmpfs (root); skipped"))
    func daemonDiskFull() throws {
        guard Faults.binaryBuilt() else { return }
        let root = temporaryDirectory("fault-daemonfull")
        let server = try Faults.healthyServer(root)
        let small = root.appendingPathComponent("small")
        try #require(Faults.mountTmpfs(small, size: "64k"), "mount -t tmpfs failed")
        defer { Faults.unmount(small) }
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) },
                                            spoolDir: small.path + "/spool", alertLog: small.path + "/log/alerts.log",
                                            extra: "default_interval = \"1s\"")
        // The daemon creates its directories, then the disk fills up before
        // the first poll has a chance to deliver anything.
        for sub in ["spool/tmp", "spool/new", "spool/cur", "log"] {
            try FileManager.default.createDirectory(atPath: small.path + "/" + sub, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: small.path + "/log/alerts.log", contents: nil)
        let filler = small.path + "/filler"
        #expect(Faults.fill(filler) > 0)

        let process = try Faults.startDaemon(configPath: config, dir: dir)
        let stderrURL = dir.appendingPathComponent("stderr.log")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func waitFor(_ timeout: TimeInterval, _ predicate: () -> Bool) -> Bool {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if predicate() { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return predicate()
        }
        let stderrText = { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
        let failures = { stderrText().components(separatedBy: "alert delivery failed; kept in outbox").count - 1 }
        // Several polls with failed deliveries while the disk is full.
        #expect(waitFor(15) { failures() >= 4 }, "no delivery failure logged: \(stderrText().prefix(800))")
        let logPath = small.path + "/log/alerts.log"
        #expect(Faults.logIDs(logPath).isEmpty)
        #expect(Faults.spoolNames(small.path + "/spool").isEmpty)
        #expect(process.isRunning)
        let injected = failures()

        // Space returns: the next poll's delivery writes everything, once.
        try FileManager.default.removeItem(atPath: filler)
        #expect(waitFor(15) { Faults.logIDs(logPath).count >= 3 && Faults.spoolNames(small.path + "/spool").count >= 3 })
        Thread.sleep(forTimeInterval: 2.5) // more polls and deliveries: nothing twice
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let ids = Faults.logIDs(logPath)
        #expect(ids.count == 3 && Set(ids).count == 3, "\(Faults.logTitles(logPath))")
        #expect(Faults.spoolNames(small.path + "/spool") == ids.map { "\($0).json" }.sorted())
        let store = try FeedStore(path: dir.appendingPathComponent("state/feedwatch.sqlite").path, readOnly: true)
        #expect(try store.pendingOutbox(for: .log, limit: 100).isEmpty)
        #expect(try store.pendingOutbox(for: .spool, limit: 100).isEmpty)
        Faults.summary("daemon-spool+log-disk-full", injected: injected, alertsVerified: 2 * ids.count)
    }

    @Test("alert log alone on a full disk with room for a fragment: partial lines never count, each alert once",
          .enabled(if: Faults.canMountTmpfs, "needs permission to mount a tmpfs (root); skipped"))
    func alertLogShortWrites() async throws {
        let root = temporaryDirectory("fault-logshort")
        let (server, expected) = try await Self.healthyReference(root)
        let small = root.appendingPathComponent("small")
        try #require(Faults.mountTmpfs(small, size: "64k"), "mount -t tmpfs failed")
        defer { Faults.unmount(small) }
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) },
                                            alertLog: small.path + "/alerts.log")
        let engine = try Faults.engine(configPath: config)
        let logPath = small.path + "/alerts.log"
        // The log owns one 4 KiB tmpfs page and the disk is then filled: the
        // first appends fit in that page, one is cut short mid-line (a
        // fragment), the rest fail outright.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n".utf8))
        try handle.close()
        let filler = small.path + "/filler"
        _ = Faults.fill(filler)
        _ = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        let pending = Set(try engine.store.pendingOutbox(for: .log, limit: 100).map(\.alertID))
        let inLog = Set(Faults.logIDs(logPath))
        #expect(!pending.isEmpty, "the full disk failed no append")
        // Marked delivered ⇒ its whole line is in the log.
        #expect(Set(expected).subtracting(pending).isSubset(of: inLog))
        let size = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0

        try FileManager.default.removeItem(atPath: filler)
        engine.deliverOutbox()
        #expect(Faults.logIDs(logPath).sorted() == expected)
        #expect(try engine.store.pendingOutbox(for: .log, limit: 100).isEmpty)
        // Every line is either a whole alert or a fragment that readers skip.
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        let fragments = lines.count - Faults.logIDs(logPath).count
        Faults.summary("log-short-writes", injected: pending.count, alertsVerified: expected.count,
                       "log_bytes_while_full=\(size) fragments=\(fragments)")
    }

    @Test("state directory (SQLite) on a full disk: the commit fails cleanly, nothing half-written, retried later",
          .enabled(if: Faults.canMountTmpfs, "needs permission to mount a tmpfs (root); skipped"))
    func stateDiskFull() async throws {
        let root = temporaryDirectory("fault-statefull")
        let (server, expected) = try await Self.healthyReference(root)
        let small = root.appendingPathComponent("small")
        try #require(Faults.mountTmpfs(small, size: "1m"), "mount -t tmpfs failed")
        defer { Faults.unmount(small) }
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) }, stateDir: small.path + "/state")
        let capture = LogCapture()
        let engine = try Faults.engine(configPath: config, logger: capture.logger)
        let db = small.path + "/state/feedwatch.sqlite"

        let filler = small.path + "/filler"
        #expect(Faults.fill(filler) > 0)
        let start = Date()
        let reports = await engine.runPass(try engine.dueFeeds(now: start, all: true))
        #expect(reports.count == 3)
        let failed = reports.filter { $0.error != nil }
        #expect(!failed.isEmpty, "the full disk did not fail any commit: \(reports.map(\.outcome))")
        for r in failed {
            #expect(r.error?.contains("disk full") == true || r.error?.contains("full") == true, "\(r.error ?? "")")
        }
        // All or nothing per feed: a failed feed left no articles, no outbox
        // rows and an unchanged (never fetched) state behind.
        let states = Dictionary(try engine.store.allFeedStates().map { ($0.configuredURL, $0) }, uniquingKeysWith: { a, _ in a })
        for r in failed {
            #expect(states[r.url]?.lastFetch == nil, "\(r.url) has a half-written state")
            #expect(states[r.url]?.itemsSeen ?? 0 == 0)
        }
        let succeeded = reports.filter { $0.error == nil }
        #expect(try engine.store.counts().articles == 3 * succeeded.count)
        #expect(try engine.store.pendingOutbox(for: .spool, limit: 100).count + Faults.spoolNames(dir.appendingPathComponent("spool").path).count
                == succeeded.map(\.alerts).reduce(0, +))
        #expect(capture.count("feed poll failed") == failed.count)

        // Space returns: the failed feeds are still due and the next pass
        // completes them; every alert exactly once.
        try FileManager.default.removeItem(atPath: filler)
        let due = try engine.dueFeeds(now: Date(), all: false)
        #expect(Set(due.map(\.url)) == Set(failed.map(\.url)), "failed feeds must be retried, the others not")
        let retry = await engine.runPass(due)
        #expect(retry.allSatisfy { $0.error == nil }, "\(retry.map { $0.error ?? "" })")
        #expect(Faults.logIDs(dir.appendingPathComponent("log/alerts.log").path).sorted() == expected)
        #expect(Faults.spoolNames(dir.appendingPathComponent("spool").path) == expected.map { "\($0).json" }.sorted())
        #expect(try engine.store.counts().articles == 9)
        #expect(Faults.integrityCheck(db) == "ok")
        Faults.summary("state-disk-full", injected: failed.count, alertsVerified: expected.count)
    }

    @Test("database locked by another process during a pass: errors reported, no crash, a later pass completes")
    func databaseLocked() async throws {
        let root = temporaryDirectory("fault-locked")
        let (server, expected) = try await Self.healthyReference(root)
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: Faults.healthyPaths.map { server.url($0) })
        let capture = LogCapture()
        let engine = try Faults.engine(configPath: config, logger: capture.logger)
        let db = dir.appendingPathComponent("state/feedwatch.sqlite").path

        // Another process takes the write lock and holds it for 9 s (the
        // store's busy timeout is 5 s).
        let locker = try Faults.lockDatabase(db, seconds: 9)
        defer { if locker.isRunning { locker.terminate() } }

        let reports = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        locker.waitUntilExit()
        #expect(locker.terminationStatus == 0)
        // The lock outlasts the 5 s busy timeout: the committer's batch fails,
        // its one-by-one retry waits out the rest of the lock, or a poll fails
        // and is reported — never a crash, never a half-written fetch.
        let busy = reports.filter { $0.error?.contains("database is locked") == true }
        #expect(capture.count("feed poll failed") >= busy.count)

        // The lock is gone: a later pass over what is due completes, and
        // delivery catches up with anything it could not mark.
        let retry = await engine.runPass(try engine.dueFeeds(now: Date(), all: false))
        #expect(retry.allSatisfy { $0.error == nil }, "\(retry.map { $0.error ?? "" })")
        #expect(Set(retry.map(\.url)).isSuperset(of: busy.map(\.url)))
        engine.deliverOutbox()
        #expect(Faults.logIDs(dir.appendingPathComponent("log/alerts.log").path).sorted() == expected)
        #expect(Faults.spoolNames(dir.appendingPathComponent("spool").path) == expected.map { "\($0).json" }.sorted())
        #expect(try engine.store.pendingOutbox(for: .log, limit: 100).isEmpty)
        #expect(try engine.store.counts().articles == 9)
        #expect(Faults.integrityCheck(db) == "ok")
        Faults.summary("database-locked", injected: busy.count, alertsVerified: expected.count)
    }
}
