import Foundation
import Testing
@testable import FeedwatchDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6's daemon proof: `feedwatch run` as a real process against a local
/// server, with a datagram socket as NOTIFY_SOCKET.
@Suite(.serialized) struct DaemonProcessTests {
    struct Event: Decodable { var title: String; var text: String }

    static func events() throws -> [Event] {
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Tests/FeedwatchDaemonTests/Fixtures/events.json"))
        return try JSONDecoder().decode([Event].self, from: data)
    }

    static func feed(_ items: [TestItem], title: String = "T") -> String { rssFeed(title: title, items: items) }

    static func filler(_ tag: String) -> [TestItem] {
        [TestItem(title: "Harbour festival \(tag) opens", text: "Boats and music at the harbour festival \(tag).",
                  link: "https://local.example/\(tag)", published: Date().addingTimeInterval(-300))]
    }

    static func config(server: TestFeedServer, keywords: String, paths: [String]) -> String {
        var t = """
        [daemon]
        state_dir = "state"
        spool_dir = "spool"
        alert_log = "alerts.log"
        keywords = "\(keywords)"
        default_interval = "2s"
        min_interval = "1s"
        per_host_delay = "0s"
        max_per_host = 2
        max_concurrent = 8
        alert_backlog = "0"
        """
        for p in paths { t += "\n[[feed]]\nurl = \"\(server.url(p))\"\n" }
        return t + "\n"
    }

    /// Collects notify datagrams on a background thread.
    final class Collector: @unchecked Sendable {
        let listener: NotifyListener
        private let lock = NSLock()
        private var messages: [String] = []
        private var running = true
        init(_ l: NotifyListener) {
            listener = l
            Thread.detachNewThread { [self] in
                while lock.withLock({ running }) {
                    if let m = listener.receive() { lock.withLock { messages.append(m) } }
                }
            }
        }
        var all: [String] { lock.withLock { messages } }
        func stop() { lock.withLock { running = false } }
        func wait(for predicate: ([String]) -> Bool, timeout: TimeInterval) -> Bool {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if predicate(all) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return predicate(all)
        }
    }

    @Test func daemonLifecycleAgainstALocalServer() throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary) else {
            Issue.record("feedwatch binary not built at \(CrashSafetyTests.binary)")
            return
        }
        let dir = temporaryDirectory("daemon")
        let ev = try Self.events()
        let now = Date()
        let relevant = TestItem(title: ev[4].title, text: ev[4].text, link: "https://news.example/treaty", published: now)
        var routes: [String: Any] = [
            "/relevant.xml": ["body": Self.feed([relevant] + Self.filler("r")), "etag": "\"r1\""],
            "/limited.xml": ["status": 429, "headers": ["Retry-After": "3600"], "body": "slow down"],
            "/old.xml": ["status": 301, "redirect_to": "/new.xml"],
            "/new.xml": ["body": Self.feed(Self.filler("n")), "etag": "\"n1\""],
            "/gone.xml": ["status": 410, "body": "gone"],
        ]
        let slow = (0..<6).map { "/slow\($0).xml" }
        for p in slow { routes[p] = ["body": Self.feed(Self.filler(p)), "delay_s": 0.6] }
        let server = try TestFeedServer(routes: routes, directory: dir.appendingPathComponent("srv"))

        // A private copy of the shipped keywords, so the test can break and fix it.
        let keywords = dir.appendingPathComponent("keywords.toml")
        let shipped = try String(contentsOf: repoRoot.appendingPathComponent("Config/keywords.toml"), encoding: .utf8)
        try shipped.write(to: keywords, atomically: true, encoding: .utf8)
        let configPath = dir.appendingPathComponent("feedwatch.toml")
        let feeds = ["/relevant.xml", "/limited.xml", "/old.xml", "/gone.xml"] + slow
        try Self.config(server: server, keywords: keywords.path, paths: feeds)
            .write(to: configPath, atomically: true, encoding: .utf8)

        let listener = try NotifyListener(abstract: false)
        let notes = Collector(listener)
        defer { notes.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CrashSafetyTests.binary)
        process.arguments = ["run", "--config", configPath.path, "--log-level", "info"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = listener.name
        env["WATCHDOG_USEC"] = "1000000"   // pings every 0.5 s
        env.removeValue(forKey: "WATCHDOG_PID")
        env.removeValue(forKey: "JOURNAL_STREAM")
        process.environment = env
        let stderrURL = dir.appendingPathComponent("stderr.log")
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // READY only after the store is open and the config loaded; then watchdog pings.
        #expect(notes.wait(for: { $0.contains { $0.contains("READY=1") } }, timeout: 10))
        #expect(notes.wait(for: { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }, timeout: 10))
        // Let a few poll cycles (2 s interval) run.
        let polled = notes.wait(for: { _ in server.requests(path: "/relevant.xml").count >= 3 }, timeout: 20)
        #expect(polled)
        Thread.sleep(forTimeInterval: 1)

        // Conditional requests: the ETag came back verbatim from the 2nd poll on.
        let rel = server.requests(path: "/relevant.xml")
        let inm = rel.dropFirst().compactMap { ($0["headers"] as? [String: String])?["If-None-Match"] }
        #expect(!inm.isEmpty && inm.allSatisfy { $0 == "\"r1\"" })
        // Retry-After 3600: not requested again inside the window.
        #expect(server.requests(path: "/limited.xml").count == 1)
        // 301 persisted: the old URL is not requested again, the new one is.
        #expect(server.requests(path: "/old.xml").count == 1)
        #expect(server.requests(path: "/new.xml").count >= 2)
        // 410: never polled again.
        #expect(server.requests(path: "/gone.xml").count == 1)
        // Per-host limit 2: with 0.6 s responses, the 3rd request to the host
        // cannot start before the 1st has finished.
        let starts = slow.flatMap { server.requests(path: $0) }.compactMap { $0["time"] as? Double }.sorted()
        #expect(starts.count >= 6)
        for i in 2..<starts.count {
            #expect(starts[i] - starts[i - 2] >= 0.5, "3 requests in flight at \(starts[i])")
        }
        // The relevant feed alerted once.
        let log = try String(contentsOf: dir.appendingPathComponent("alerts.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1)
        #expect(log.contains("treaty"))

        // An invalid keyword file on SIGHUP: rejected with FILE:LINE, daemon keeps working.
        try (shipped + "\nthis is = = not toml\n").write(to: keywords, atomically: true, encoding: .utf8)
        let before = server.requests(path: "/relevant.xml").count
        kill(process.processIdentifier, SIGHUP)
        #expect(notes.wait(for: { $0.contains { $0.hasPrefix("RELOADING=1") } }, timeout: 5))
        Thread.sleep(forTimeInterval: 3)
        #expect(process.isRunning)
        let err = try String(contentsOf: stderrURL, encoding: .utf8)
        #expect(err.contains("\(keywords.path):\(shipped.split(separator: "\n", omittingEmptySubsequences: false).count + 1):"),
                "no FILE:LINE problem in stderr")
        #expect(server.requests(path: "/relevant.xml").count > before)

        // A valid change takes effect: a new feed is added and polled, and a
        // threshold no article can reach silences a new relevant item.
        try shipped.replacingOccurrences(of: "\nthreshold = ", with: "\nthreshold = 100000 # ")
            .write(to: keywords, atomically: true, encoding: .utf8)
        routes["/added.xml"] = ["body": Self.feed([TestItem(title: ev[2].title, text: ev[2].text,
                                                            link: "https://news.example/shoigu", published: Date())])]
        try server.setRoutes(routes)
        try Self.config(server: server, keywords: keywords.path, paths: feeds + ["/added.xml"])
            .write(to: configPath, atomically: true, encoding: .utf8)
        let readies = notes.all.filter { $0.contains("READY=1") }.count
        kill(process.processIdentifier, SIGHUP)
        #expect(notes.wait(for: { $0.filter { $0.contains("READY=1") }.count > readies }, timeout: 5))
        #expect(notes.wait(for: { _ in !server.requests(path: "/added.xml").isEmpty }, timeout: 10))
        Thread.sleep(forTimeInterval: 1)
        let log2 = try String(contentsOf: dir.appendingPathComponent("alerts.log"), encoding: .utf8)
        #expect(log2.split(separator: "\n").count == 1, "the raised threshold did not take effect")

        // SIGTERM: graceful, exit 0, STOPPING=1.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(notes.wait(for: { $0.contains("STOPPING=1") }, timeout: 3))

        // status reflects it all.
        let rows = try FeedStatus.rows(config: try DaemonConfig.load(path: configPath.path))
        let byPath = Dictionary(rows.map { (URL(string: $0.configuredURL)!.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["/gone.xml"]?.state == "gone")
        #expect(byPath["/old.xml"]?.url == server.url("/new.xml"))
        #expect(byPath["/limited.xml"]?.lastStatus == 429)
        #expect(byPath["/relevant.xml"]?.alerts == 1)
    }
}
