import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchDaemon

@Suite struct DaemonConfigTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedConfigIsValid() throws {
        let path = Self.repoRoot.appendingPathComponent("Config/feedwatch.toml").path
        let c = try DaemonConfig.load(path: path)
        #expect(c.feeds.count >= 20)
        #expect(c.stateDir == Self.repoRoot.appendingPathComponent("state").path)
        #expect(c.keywordsFile == Self.repoRoot.appendingPathComponent("Config/keywords.toml").path)
        #expect(c.defaultInterval == 900)
        #expect(c.alertBacklog == 48 * 3600)
        #expect(c.maxBodyBytes == 16 << 20)
        #expect(Set(c.feeds.map(\.url)).count == c.feeds.count)
    }

    @Test func defaultsApplyAndRelativePathsResolve() throws {
        let c = try DaemonConfig.parse(text: "[daemon]\nstate_dir = \"st\"\n", file: "/etc/fw/feedwatch.toml")
        #expect(c.stateDir == "/etc/fw/st")
        #expect(c.spoolDir == "/etc/fw/st/spool")
        #expect(c.keywordsFile == "/etc/fw/keywords.toml")
        #expect(c.alertLog == "/var/log/feedwatch/alerts.log")
        #expect(c.maxConcurrent == 16 && c.maxPerHost == 2 && c.perHostDelay == 1)
    }

    @Test func everyProblemIsReportedWithItsLine() {
        let text = """
        [daemon]
        max_concurent = 16
        max_per_host = "two"
        default_interval = "15 minutes"
        allow_private_networks = "no"

        [[feed]]
        url = "ftp://example.org/feed"

        [[feed]]
        name = "no url"

        [[feed]]
        url = "https://example.org/rss"
        interval = 10

        [[feed]]
        url = "https://example.org/rss"
        colour = "red"
        """
        do {
            _ = try DaemonConfig.parse(text: text, file: "f.toml")
            Issue.record("expected problems")
        } catch {
            let got = error.problems.map(\.description)
            #expect(got.contains("f.toml:2: unknown key 'max_concurent' in [daemon] (did you mean 'max_concurrent'?)"))
            #expect(got.contains { $0.hasPrefix("f.toml:3: 'max_per_host' must be an integer") })
            #expect(got.contains { $0.hasPrefix("f.toml:4: 'default_interval': '15 minutes' is not a duration") })
            #expect(got.contains { $0.hasPrefix("f.toml:5: 'allow_private_networks' must be true or false") })
            #expect(got.contains { $0.hasPrefix("f.toml:8: feed url 'ftp://example.org/feed' is not an http") })
            #expect(got.contains("f.toml:10: [[feed]] has no url"))
            #expect(got.contains { $0.hasPrefix("f.toml:15: 'interval' must be a duration string") })
            #expect(got.contains("f.toml:18: feed 'https://example.org/rss' is already configured on line 14"))
            #expect(got.contains("f.toml:19: unknown key 'colour' in [[feed]]"))
            #expect(got.count == 9)
        }
    }

    @Test func durations() {
        #expect(ConfigDuration.seconds("90s") == 90)
        #expect(ConfigDuration.seconds("15m") == 900)
        #expect(ConfigDuration.seconds("2h") == 7200)
        #expect(ConfigDuration.seconds("1d") == 86400)
        #expect(ConfigDuration.seconds("1h30m") == 5400)
        #expect(ConfigDuration.seconds("0") == 0)
        #expect(ConfigDuration.seconds("15") == nil)
        #expect(ConfigDuration.seconds("m") == nil)
        #expect(ConfigDuration.seconds("-5m") == nil)
        #expect(ConfigDuration.bytes("16MiB") == 16 << 20)
    }

    @Test func intervalIsClamped() throws {
        let c = try DaemonConfig.parse(text: "[daemon]\nmin_interval = \"5m\"\nmax_interval = \"1h\"\n", file: "/x/f.toml")
        #expect(c.interval(of: FeedConfig(url: "http://a/", interval: 10)) == 300)
        #expect(c.interval(of: FeedConfig(url: "http://a/", interval: 86400)) == 3600)
        #expect(c.interval(of: FeedConfig(url: "http://a/")) == 900)
    }
}

@Suite struct ConfigPathTests {
    @Test func directoryOfPaths() {
        #expect(ConfigLocator.directory(of: "c") == "")
        #expect(ConfigLocator.directory(of: "/etc/feedwatch/feedwatch.toml") == "/etc/feedwatch")
        #expect(ConfigLocator.directory(of: "/feedwatch.toml") == "/")
        #expect(ConfigLocator.directory(of: "Config/feedwatch.toml") == "Config")
        #expect(ConfigLocator.directory(of: "a/b/") == "a")
    }

    @Test func oneCharacterConfigPathLoads() throws {
        // Foundation's deletingLastPathComponent traps on "c" (found by fuzzing probes).
        let c = try DaemonConfig.parse(text: "[daemon]\nstate_dir = \"st\"\n", file: "c")
        #expect(c.stateDir.hasSuffix("/st"))
        #expect(c.keywordsFile == "./keywords.toml")
        #expect(ConfigBundle.keywordsPathBestEffort(configPath: "c") == "./keywords.toml")
    }
}
