import Foundation
import Logging
import Testing
import FeedwatchCore
import FeedwatchClassify
import FeedwatchStore
@testable import FeedwatchDaemon

/// Issue 5's end-to-end proof: a local server carries the five seeds from
/// different "outlets", a wire copy and irrelevant items → one pass → exactly
/// one alert per story in spool and log; a second pass → nothing new.
@Suite(.serialized) struct PipelineEndToEndTests {
    static func outlets(now: Date) throws -> [String: String] {
        let h: (Double) -> Date = { now.addingTimeInterval(-$0 * 3600) }
        let s000 = try seedText("000"), s001 = try seedText("001"), s002 = try seedText("002")
        let s003 = try seedText("003"), s004 = try seedText("004")
        // A wire copy of 004: byline added, last paragraph trimmed.
        var wireParagraphs = s004.components(separatedBy: "\n\n")
        if wireParagraphs.count > 3 { wireParagraphs.removeLast() }
        let wire004 = "SEOUL (Wire) - " + wireParagraphs.joined(separator: "\n\n")
        let a = rssFeed(title: "Outlet A", items: [
            TestItem(title: "N. Korea FM in rare Moscow visit amid diplomatic thaw", text: s000,
                     link: "https://outlet-a.example/news/nk-fm-moscow?utm_source=rss", published: h(3)),
            TestItem(title: "N. Korea believed to be desperate to win Russia's support", text: s002,
                     link: "https://outlet-a.example/news/nk-russia-support", published: h(5)),
            TestItem(title: "Heavy rain expected across Bangkok this weekend",
                     text: "The meteorological department warned of heavy rain and flash floods in Bangkok and nearby provinces through Sunday.",
                     link: "https://outlet-a.example/news/weather", published: h(1)),
        ])
        let b = atomFeed(title: "Outlet B", items: [
            TestItem(title: "Pyongyang sends envoy to Moscow ahead of talks", text: s001,
                     link: "https://outlet-b.example/2018/04/pyongyang-envoy-moscow", published: h(4)),
            TestItem(title: "North Korea and Russia try to boost ties", text: s004,
                     link: "https://outlet-b.example/world/nk-russia-ties", published: h(6)),
            TestItem(title: "Kim Kardashian launches a new fragrance line",
                     text: "Kim Kardashian unveiled a new fragrance line in Los Angeles on Tuesday, her first since 2021.",
                     link: "https://outlet-b.example/style/kim-fragrance", published: h(2)),
        ])
        let c = rssFeed(title: "Outlet C", items: [
            TestItem(title: "DPRK FM Visits Russia: Russian Foreign Minister Lavrov accepts invitation to visit DPRK",
                     text: s003, link: "https://outlet-c.example/a/dprk-fm-russia", published: h(3.5)),
            TestItem(title: "North Korea, Russia seek to boost ties", text: wire004,
                     link: "https://outlet-c.example/a/wire-nk-russia-ties", published: h(5.5)),
            TestItem(title: "Moscow, Idaho council approves new budget",
                     text: "The city council of Moscow, Idaho, approved its budget for the coming fiscal year on Monday after a short debate.",
                     link: "https://outlet-c.example/a/moscow-idaho", published: h(1.5)),
        ])
        return ["/a.xml": a, "/b.xml": b, "/c.xml": c]
    }

    static func config(server: TestFeedServer, dir: URL, paths: [String]) throws -> DaemonConfig {
        var text = """
        [daemon]
        state_dir = "\(dir.path)/state"
        spool_dir = "\(dir.path)/spool"
        alert_log = "\(dir.path)/log/alerts.log"
        keywords = "\(repoRoot.path)/Config/keywords.toml"
        per_host_delay = "0s"
        min_interval = "1s"
        max_per_host = 4
        """
        for p in paths { text += "\n[[feed]]\nurl = \"\(server.url(p))\"\nname = \"Outlet \(p.dropFirst().prefix(1).uppercased())\"\n" }
        return try DaemonConfig.parse(text: text, file: dir.appendingPathComponent("feedwatch.toml").path)
    }

    static func rules() throws -> KeywordRules {
        let path = repoRoot.appendingPathComponent("Config/keywords.toml").path
        return try KeywordRules.load(text: try String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    static func spoolFiles(_ dir: URL) -> [String] {
        let new = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("spool/new").path)) ?? []
        let cur = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("spool/cur").path)) ?? []
        return (new + cur).sorted()
    }

    static func logAlerts(_ dir: URL) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: dir.appendingPathComponent("log/alerts.log").path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func oneAlertPerStoryAndNothingTwice() async throws {
        let dir = temporaryDirectory("e2e")
        let now = Date()
        let feeds = try Self.outlets(now: now)
        var routes: [String: Any] = [:]
        for (path, body) in feeds { routes[path] = ["body": body, "etag": "\"\(path)-v1\""] }
        let server = try TestFeedServer(routes: routes, directory: dir.appendingPathComponent("srv"))
        let config = try Self.config(server: server, dir: dir, paths: ["/a.xml", "/b.xml", "/c.xml"])
        let engine = try Engine(config: config, rules: try Self.rules(), logger: Logger(label: "test"))

        let reports = await engine.runPass(try engine.dueFeeds(now: now, all: true))
        #expect(reports.count == 3)
        #expect(reports.allSatisfy { $0.error == nil }, "\(reports.map { $0.error ?? "" })")
        #expect(reports.map(\.newArticles).reduce(0, +) == 9)

        let alerts = Self.logAlerts(dir)
        let titles = alerts.compactMap { $0["title"] as? String }
        #expect(alerts.count == 3, "alerts: \(titles)")
        #expect(Self.spoolFiles(dir).count == 3)
        #expect(Set(alerts.compactMap { $0["story_id"] as? String }).count == alerts.count)
        #expect(!titles.contains { $0.contains("Kardashian") || $0.contains("Idaho") || $0.contains("Bangkok") })
        // Every alert names its contract fields.
        for a in alerts {
            for key in ["id", "story_id", "feed", "url", "title", "published", "fetched", "score", "threshold", "matches", "summary", "sources"] {
                #expect(a[key] != nil, "alert lacks \(key)")
            }
        }
        // The Ri Yong Ho visit (seeds 000, 001, 003) is one story: one alert,
        // and the story records all three outlets' articles.
        let visitTitles = ["N. Korea FM in rare Moscow visit amid diplomatic thaw",
                           "Pyongyang sends envoy to Moscow ahead of talks",
                           "DPRK FM Visits Russia: Russian Foreign Minister Lavrov accepts invitation to visit DPRK"]
        let visit = alerts.filter { visitTitles.contains($0["title"] as? String ?? "") }
        #expect(visit.count == 1)
        if let storyID = visit.first?["story_id"] as? String {
            let sources = try engine.store.storySources(storyID)
            #expect(Set(sources.compactMap(\.title)) == Set(visitTitles), "\(sources)")
        }
        // The wire copy of seed 004 joined its original's story.
        let ties = alerts.filter { ($0["title"] as? String ?? "").contains("boost ties") }
        #expect(ties.count == 1)

        // Second pass: all 304 → nothing new anywhere.
        let again = await engine.runPass(try engine.dueFeeds(now: now, all: true))
        #expect(again.allSatisfy { $0.outcome == "not_modified" })
        #expect(Self.logAlerts(dir).count == 3)
        #expect(Self.spoolFiles(dir).count == 3)
        // Conditional GET: the validators came back verbatim.
        let second = server.requests(path: "/a.xml").last?["headers"] as? [String: String]
        #expect(second?["If-None-Match"] == "\"/a.xml-v1\"")

        // A changed body with the same items (new ETag): parsed, nothing new.
        var routes2: [String: Any] = [:]
        for (path, body) in feeds { routes2[path] = ["body": body + "\n<!-- v2 -->", "etag": "\"\(path)-v2\""] }
        try server.setRoutes(routes2)
        let third = await engine.runPass(try engine.dueFeeds(now: now, all: true))
        #expect(third.allSatisfy { $0.outcome == "fetched" && $0.newArticles == 0 && $0.alerts == 0 })
        #expect(Self.logAlerts(dir).count == 3)

        // Status shows what happened.
        let rows = try FeedStatus.rows(config: config)
        #expect(rows.allSatisfy { $0.state == "ok" && $0.itemsSeen == 3 && $0.lastStatus == 200 })
        #expect(rows.map(\.alerts).reduce(0, +) == 3)
    }

    @Test func backlogOnFirstFetchDoesNotAlert() async throws {
        let dir = temporaryDirectory("backlog")
        let old = Date().addingTimeInterval(-10 * 86400)
        let feed = rssFeed(title: "Old", items: [
            TestItem(title: "Pyongyang sends envoy to Moscow ahead of talks", text: try seedText("001"),
                     link: "https://old.example/1", published: old),
        ])
        let server = try TestFeedServer(routes: ["/old.xml": ["body": feed]], directory: dir.appendingPathComponent("srv"))
        let config = try Self.config(server: server, dir: dir, paths: ["/old.xml"])
        let engine = try Engine(config: config, rules: try Self.rules(), logger: Logger(label: "test"))
        let reports = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        #expect(reports.first?.newArticles == 1)
        #expect(Self.logAlerts(dir).isEmpty)
        #expect(Self.spoolFiles(dir).isEmpty)
    }

    @Test func editedItemAlertsOnlyWhenItNewlyCrossesTheThresholdAndNeverTwice() async throws {
        let dir = temporaryDirectory("edits")
        let now = Date()
        func feed(_ text: String, title: String) -> String {
            rssFeed(title: "Edits", items: [TestItem(title: title, text: text, link: "https://edits.example/story-1",
                                                     published: now, guid: "story-1")])
        }
        let server = try TestFeedServer(routes: ["/e.xml": ["body": feed("Officials met on Tuesday.", title: "Talks held")]],
                                        directory: dir.appendingPathComponent("srv"))
        let config = try Self.config(server: server, dir: dir, paths: ["/e.xml"])
        let engine = try Engine(config: config, rules: try Self.rules(), logger: Logger(label: "test"))
        func pass() async throws -> Engine.PollReport {
            try #require(await engine.runPass(try engine.dueFeeds(now: Date(), all: true)).first)
        }
        // 1: a vague first version — stored, no alert.
        var r = try await pass()
        #expect(r.newArticles == 1 && r.alerts == 0)
        #expect(Self.logAlerts(dir).isEmpty)
        // 2: the publisher edits it into a North Korea–Russia story — it alerts now.
        let s002 = try seedText("002")
        try server.setRoutes(["/e.xml": ["body": feed(s002, title: "N. Korea believed to be desperate to win Russia's support")]])
        r = try await pass()
        #expect(r.newArticles == 0 && r.alerts == 1)
        #expect(Self.logAlerts(dir).count == 1)
        // 3: edited again (still relevant): updated, never a second alert.
        try server.setRoutes(["/e.xml": ["body": feed(s002 + "\n\nUpdated with comment from Moscow.",
                                                      title: "UPDATE: N. Korea believed to be desperate to win Russia's support")]])
        r = try await pass()
        #expect(r.outcome == "fetched" && r.alerts == 0)
        #expect(Self.logAlerts(dir).count == 1)
        #expect(Self.spoolFiles(dir).count == 1)
        let rows = try FeedStatus.rows(config: config)
        #expect(rows.first?.itemsSeen == 1)
        #expect(rows.first?.alerts == 1)
    }
}
