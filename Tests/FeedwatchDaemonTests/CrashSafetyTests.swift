import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchDaemon

/// Issue 5's crash proof: kill -9 `feedwatch run --once` at random moments,
/// rerun to completion, and compare with an uninterrupted reference run:
/// exactly the same alerts in spool and log, none lost, none twice.
@Suite(.serialized) struct CrashSafetyTests {
    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["FEEDWATCH_BIN"] { return p }
        return repoRoot.appendingPathComponent(".build/debug/feedwatch").path
    }

    struct Event: Decodable { var title: String; var text: String }

    static func routes(now: Date) throws -> [String: Any] {
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Tests/FeedwatchDaemonTests/Fixtures/events.json"))
        let events = try JSONDecoder().decode([Event].self, from: data)
        var routes: [String: Any] = [:]
        // 20 feeds; feed i carries events i and i+3 (mod 10) plus filler, so
        // stories recur across feeds and must be grouped, not re-alerted.
        for i in 0..<20 {
            var items: [TestItem] = []
            for (k, e) in [events[i % 10], events[(i + 3) % 10]].enumerated() {
                items.append(TestItem(title: e.title, text: e.text, link: "https://outlet\(i).example/\(k)/\(e.title.count)",
                                      published: now.addingTimeInterval(-Double(3600 * (k + 1)))))
            }
            for f in 0..<8 {
                items.append(TestItem(title: "Local council notes \(i)-\(f)",
                                      text: "The council of district \(i) discussed road repairs and a new library, item \(f).",
                                      link: "https://outlet\(i).example/local/\(f)", published: now.addingTimeInterval(-600)))
            }
            routes["/f\(i).xml"] = ["body": rssFeed(title: "Outlet \(i)", items: items), "etag": "\"f\(i)\""]
        }
        return routes
    }

    static func writeConfig(dir: URL, server: TestFeedServer) throws -> String {
        var text = """
        [daemon]
        state_dir = "state"
        spool_dir = "spool"
        alert_log = "log/alerts.log"
        keywords = "\(repoRoot.path)/Config/keywords.toml"
        per_host_delay = "0s"
        min_interval = "1s"
        max_concurrent = 1
        max_per_host = 1
        """
        for i in 0..<20 { text += "\n[[feed]]\nurl = \"\(server.url("/f\(i).xml"))\"\n" }
        let path = dir.appendingPathComponent("feedwatch.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func run(_ config: String, killAfter: Double? = nil) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--once", "--all", "--config", config, "--log-level", "error"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        if let killAfter {
            Thread.sleep(forTimeInterval: killAfter)
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func outcome(_ dir: URL) -> (log: [String], spool: [String]) {
        let log = ((try? String(contentsOfFile: dir.appendingPathComponent("log/alerts.log").path, encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { line -> String? in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
            }
        let spool = ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("spool/new").path)) ?? [])
            .filter { !$0.hasPrefix(".") }
        return (log.sorted(), spool.sorted())
    }

    @Test func killNineAtRandomMomentsLosesAndDoublesNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("feedwatch binary not built at \(Self.binary) (run swift build first)")
            return
        }
        let root = temporaryDirectory("crash")
        let server = try TestFeedServer(routes: try Self.routes(now: Date()), directory: root.appendingPathComponent("srv"))

        // Reference: one uninterrupted run, timed.
        let refDir = root.appendingPathComponent("ref")
        try FileManager.default.createDirectory(at: refDir, withIntermediateDirectories: true)
        let refConfig = try Self.writeConfig(dir: refDir, server: server)
        let started = Date()
        #expect(try Self.run(refConfig) == 0)
        let duration = Date().timeIntervalSince(started)
        let reference = Self.outcome(refDir)
        #expect(reference.log.count >= 5, "reference run raised \(reference.log.count) alerts")
        #expect(Set(reference.log).count == reference.log.count)
        #expect(reference.spool.count == reference.log.count)

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<12 {
            let dir = root.appendingPathComponent("r\(round)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let config = try Self.writeConfig(dir: dir, server: server)
            // Kill somewhere between start-up and the end of a normal run,
            // sometimes twice in a row.
            for _ in 0..<(round % 3 == 0 ? 2 : 1) {
                let at = Double.random(in: 0.02...max(0.05, duration), using: &generator)
                _ = try Self.run(config, killAfter: at)
                kills += 1
            }
            #expect(try Self.run(config) == 0)
            let got = Self.outcome(dir)
            #expect(got.log == reference.log, "round \(round): log differs (\(got.log.count) vs \(reference.log.count))")
            #expect(got.spool == reference.spool, "round \(round): spool differs")
        }
        #expect(kills >= 12)
    }
}
