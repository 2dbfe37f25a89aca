import Foundation
import Testing
import FeedwatchCore
import FeedwatchStore
@testable import FeedwatchDaemon

/// Issue 7, fault injection at the pipeline level: one feed among healthy
/// ones misbehaves; the process (`feedwatch run --once --all`, the real
/// binary) must exit 0, deliver every healthy feed's alerts exactly once
/// (the same alert ids as a run without the bad feed), record the bad feed's
/// error in `status` with a clear message, and stay within bounded memory.
@Suite(.serialized) struct FaultInjectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Route for `/bad.xml` (plus helpers) on the feedserver; nil = the 1 GB streaming server.
        var routes: [String: [String: any Sendable]]?
        /// Substring the recorded error must contain.
        var message: String
        var testDescription: String { name }
    }

    static let htmlPage = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>Our new website</h1>"
        + "<p>The feed moved. North Korea Russia Pyongyang Moscow.</p></body></html>\n"

    static let cases: [Case] = [
        Case(name: "reset-mid-body", routes: ["/bad.xml": ["body": "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>",
                                                           "repeat_body_bytes": 200_000, "reset_after_bytes": 2000]],
             message: "curl error"),
        Case(name: "hang-after-headers", routes: ["/bad.xml": ["body": "<rss/>", "hang_after_headers": true]],
             message: "timeout after 3 s"),
        Case(name: "drip-1-byte-per-s", routes: ["/bad.xml": ["body": String(repeating: "<rss version=\"2.0\"/>", count: 10),
                                                              "drip_bytes_per_s": 1]],
             message: "timeout after 3 s"),
        Case(name: "html-with-200", routes: ["/bad.xml": ["body": htmlPage, "content_type": "text/html; charset=utf-8"]],
             message: "not a feed"),
        Case(name: "1GB-body", routes: nil, message: "body exceeds 1 MiB"),
        // 64 MB of one byte compresses to ~64 KB on the wire.
        Case(name: "gzip-bomb", routes: ["/bad.xml": ["body": "\0", "repeat_body_bytes": 64_000_000, "gzip": true]],
             message: "body exceeds 1 MiB"),
        Case(name: "redirect-loop", routes: ["/bad.xml": ["status": 302, "redirect_to": "/loop2.xml"],
                                             "/loop2.xml": ["status": 302, "redirect_to": "/bad.xml"]],
             message: "redirect loop at"),
        Case(name: "redirect-to-file", routes: ["/bad.xml": ["status": 301, "redirect_to": "file:///etc/passwd"]],
             message: "redirect to file:// refused"),
    ]

    /// Peak RSS allowed above the healthy-only reference run: the body cap is
    /// 1 MiB, so a 1 GB body or a 64 MB bomb must not show up in memory.
    static let rssSlackKiB = 24 * 1024

    @Test("one misbehaving feed among healthy ones: healthy alerts all arrive once, the error is recorded, nothing crashes",
          arguments: cases)
    func misbehavingFeed(_ c: Case) throws {
        guard Faults.binaryBuilt() else { return }
        let root = temporaryDirectory("fault-\(c.name)")
        defer { try? FileManager.default.removeItem(at: root) }
        var routes = try Faults.healthyRoutes(now: Date())
        for (path, route) in c.routes ?? [:] { routes[path] = route }
        let server = try TestFeedServer(routes: routes, directory: root.appendingPathComponent("srv"))
        let huge = c.routes == nil ? try HugeBodyServer(totalBytes: 1_000_000_000, directory: root.appendingPathComponent("huge")) : nil
        let healthy = Faults.healthyPaths.map { server.url($0) }
        let badURL = huge?.url("/bad.xml") ?? server.url("/bad.xml")

        // Reference: the healthy feeds alone.
        let refDir = root.appendingPathComponent("ref")
        let refConfig = try Faults.writeConfig(dir: refDir, feeds: healthy)
        let ref = try Faults.runMeasured(["run", "--once", "--all", "--config", refConfig, "--log-level", "error"], dir: refDir)
        #expect(ref.status == 0, "reference run: \(ref.output)")
        let expected = Faults.logIDs(refDir.appendingPathComponent("log/alerts.log").path).sorted()
        #expect(expected.count == Faults.healthyEvents.count,
                "reference run raised \(Faults.logTitles(refDir.appendingPathComponent("log/alerts.log").path))")

        // The same feeds with the misbehaving one in the middle.
        let dir = root.appendingPathComponent("run")
        let config = try Faults.writeConfig(dir: dir, feeds: [healthy[0], badURL, healthy[1], healthy[2]])
        let logPath = dir.appendingPathComponent("log/alerts.log").path
        let spoolPath = dir.appendingPathComponent("spool").path
        var injected = 0
        var peak = 0
        for pass in 1...2 {
            let r = try Faults.runMeasured(["run", "--once", "--all", "--config", config, "--log-level", "error"], dir: dir)
            injected += 1
            peak = max(peak, r.maxRSSKiB)
            #expect(r.status == 0, "pass \(pass) exit \(r.status): \(r.output)")
            #expect(r.output.contains("pass: 4 feeds polled, 1 failed"), "pass \(pass): \(r.output)")
            #expect(r.maxRSSKiB <= ref.maxRSSKiB + Self.rssSlackKiB,
                    "pass \(pass): peak RSS \(r.maxRSSKiB) KiB vs reference \(ref.maxRSSKiB) KiB")

            // Nothing lost, nothing twice: exactly the reference's alerts.
            let got = Faults.logIDs(logPath).sorted()
            #expect(got == expected, "pass \(pass): log \(got.count) alerts vs \(expected.count) expected")
            #expect(Faults.spoolNames(spoolPath) == expected.map { "\($0).json" }.sorted(), "pass \(pass): spool differs")

            // The bad feed's error is in status, with a clear message; the
            // healthy feeds are fine; the bad one is backed off, not dropped.
            let rows = try FeedStatus.rows(config: try DaemonConfig.load(path: config))
            let bad = rows.first { $0.configuredURL == badURL }
            #expect(bad?.lastError?.contains(c.message) == true, "pass \(pass): bad feed error \(bad?.lastError ?? "nil")")
            #expect(bad?.consecutiveErrors == pass)
            #expect(bad?.state == (pass == 1 ? "error" : "backoff"))
            #expect(bad?.nextDue != nil, "the bad feed must stay scheduled")
            for row in rows where row.configuredURL != badURL {
                #expect(row.state == "ok" && row.lastError == nil, "\(row.configuredURL): \(row.state) \(row.lastError ?? "")")
            }
            #expect(rows.filter { $0.configuredURL != badURL }.map(\.alerts).reduce(0, +) == expected.count)
        }
        if let huge {
            // The client hung up long before the gigabyte: the body cap held.
            let sent = huge.sent()
            #expect(sent.count >= 1 && sent.allSatisfy { $0 < 64 << 20 }, "bytes sent per connection: \(sent)")
        }
        #expect(Faults.integrityCheck(dir.appendingPathComponent("state/feedwatch.sqlite").path) == "ok")
        Faults.summary(c.name, injected: injected, alertsVerified: expected.count * 2,
                       "peak_rss_kib=\(peak) reference_rss_kib=\(ref.maxRSSKiB)")
    }
}
