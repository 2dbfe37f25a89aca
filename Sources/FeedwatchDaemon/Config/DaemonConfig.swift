import Foundation
import FeedwatchCore
import FeedwatchFetch

/// One configured feed (`[[feed]]` in feedwatch.toml).
public struct FeedConfig: Sendable, Equatable {
    public var url: String
    public var name: String?
    /// Per-feed override of `default_interval`, in seconds.
    public var interval: Int?
    public var line: Int

    public init(url: String, name: String? = nil, interval: Int? = nil, line: Int = 0) {
        self.url = url
        self.name = name
        self.interval = interval
        self.line = line
    }
}

/// The main config file, validated. Every path is absolute (relative paths in
/// the file are relative to the file's directory, CONTRACT.md "Config files").
public struct DaemonConfig: Sendable, Equatable {
    public var file: String
    public var stateDir: String
    public var spoolDir: String
    public var alertLog: String
    public var keywordsFile: String
    public var maxConcurrent: Int
    public var maxPerHost: Int
    /// Least time between request starts to one host, seconds.
    public var perHostDelay: Double
    public var defaultInterval: Int
    public var minInterval: Int
    public var maxInterval: Int
    /// Items older than this on a feed's first fetch are stored without alerting; 0 = alert on all.
    public var alertBacklog: Int
    public var allowPrivateNetworks: Bool
    /// Cap of the exponential error backoff, seconds.
    public var maxBackoff: Int
    /// Article bodies older than this are pruned (identities kept); 0 = keep forever.
    public var retention: Int
    /// Fetch limits.
    public var connectTimeout: Int
    public var fetchTimeout: Int
    public var maxBodyBytes: Int
    public var feeds: [FeedConfig]

    /// Built-in defaults, used for keys the file leaves out.
    public static func defaults(file: String) -> DaemonConfig {
        let dir = (file as NSString).deletingLastPathComponent
        return DaemonConfig(
            file: file,
            stateDir: "/var/lib/feedwatch",
            spoolDir: "/var/lib/feedwatch/spool",
            alertLog: "/var/log/feedwatch/alerts.log",
            keywordsFile: (dir.isEmpty ? "." : dir) + "/keywords.toml",
            maxConcurrent: 16, maxPerHost: 2, perHostDelay: 1,
            defaultInterval: 15 * 60, minInterval: 60, maxInterval: 24 * 3600,
            alertBacklog: 48 * 3600, allowPrivateNetworks: false,
            maxBackoff: 6 * 3600, retention: 90 * 86400,
            connectTimeout: 10, fetchTimeout: 30, maxBodyBytes: 16 << 20,
            feeds: []
        )
    }

    /// The effective interval of a feed, clamped to [min_interval, max_interval].
    public func interval(of feed: FeedConfig) -> Int {
        min(max(feed.interval ?? defaultInterval, minInterval), max(maxInterval, minInterval))
    }
}

extension DaemonConfig {
    /// Reads and validates the main config file; throws every problem as
    /// `FILE:LINE: message`.
    public static func load(path: String) throws(ConfigProblems) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigProblems([ConfigProblem(file: path, line: 0, message: "cannot read the config file: \(Self.reason(error))")])
        }
        return try parse(text: text, file: path)
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    public static func parse(text: String, file: String) throws(ConfigProblems) -> DaemonConfig {
        let root = try TOML.parse(text, file: file)
        var v = ConfigValidator(file: file)
        var config = DaemonConfig.defaults(file: file)
        let base = (file as NSString).deletingLastPathComponent

        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") { return p }
            let joined = ((base.isEmpty ? FileManager.default.currentDirectoryPath : base) as NSString).appendingPathComponent(p)
            return (joined as NSString).standardizingPath
        }

        v.allowKeys(root, ["daemon", "feed"], context: "top level")
        var spoolGiven = false
        if let daemonNode = root["daemon"] {
            if let d = v.table(daemonNode, "daemon") {
                v.allowKeys(d, ["state_dir", "spool_dir", "alert_log", "keywords", "max_concurrent", "max_per_host",
                                "per_host_delay", "default_interval", "min_interval", "max_interval", "alert_backlog",
                                "allow_private_networks", "max_backoff", "retention", "connect_timeout", "timeout",
                                "max_body_size"], context: "[daemon]")
                if let s = v.nonEmptyString(d, "state_dir") { config.stateDir = resolve(s) }
                if let s = v.nonEmptyString(d, "spool_dir") { config.spoolDir = resolve(s); spoolGiven = true }
                if let s = v.nonEmptyString(d, "alert_log") { config.alertLog = resolve(s) }
                if let s = v.nonEmptyString(d, "keywords") { config.keywordsFile = resolve(s) }
                if let n = v.integer(d, "max_concurrent", in: 1...1024) { config.maxConcurrent = n }
                if let n = v.integer(d, "max_per_host", in: 1...64) { config.maxPerHost = n }
                if let n = v.duration(d, "per_host_delay") { config.perHostDelay = Double(n) }
                if let n = v.duration(d, "default_interval", positive: true) { config.defaultInterval = n }
                if let n = v.duration(d, "min_interval", positive: true) { config.minInterval = n }
                if let n = v.duration(d, "max_interval", positive: true) { config.maxInterval = n }
                if let n = v.duration(d, "alert_backlog") { config.alertBacklog = n }
                if let b = v.bool(d, "allow_private_networks") { config.allowPrivateNetworks = b }
                if let n = v.duration(d, "max_backoff", positive: true) { config.maxBackoff = n }
                if let n = v.duration(d, "retention") { config.retention = n }
                if let n = v.duration(d, "connect_timeout", positive: true) { config.connectTimeout = n }
                if let n = v.duration(d, "timeout", positive: true) { config.fetchTimeout = n }
                if let n = v.size(d, "max_body_size") { config.maxBodyBytes = n }
                if config.maxPerHost > config.maxConcurrent, let node = d["max_per_host"] {
                    v.problem(node.line, "max_per_host (\(config.maxPerHost)) is larger than max_concurrent (\(config.maxConcurrent))")
                }
                if config.minInterval > config.maxInterval, let node = d["min_interval"] ?? d["max_interval"] {
                    v.problem(node.line, "min_interval is longer than max_interval")
                }
            }
        }
        if !spoolGiven {
            config.spoolDir = (config.stateDir as NSString).appendingPathComponent("spool")
        }

        if let feedNode = root["feed"] {
            if let list = feedNode.array, list.allSatisfy({ $0.table != nil }) {
                var seen: [String: Int] = [:]
                for item in list {
                    guard let t = item.table else { continue }
                    v.allowKeys(t, ["url", "name", "interval"], context: "[[feed]]")
                    guard let urlNode = t["url"] else {
                        v.problem(t.line, "[[feed]] has no url")
                        continue
                    }
                    guard let url = v.nonEmptyString(t, "url") else { continue }
                    let trimmed = url.trimmingCharacters(in: .whitespaces)
                    guard let comps = URLComponents(string: trimmed), let scheme = comps.scheme?.lowercased(),
                          scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty else {
                        v.problem(urlNode.line, "feed url '\(url)' is not an http:// or https:// URL")
                        continue
                    }
                    if let first = seen[trimmed] {
                        v.problem(urlNode.line, "feed '\(trimmed)' is already configured on line \(first)")
                        continue
                    }
                    seen[trimmed] = urlNode.line
                    var feed = FeedConfig(url: trimmed, line: t.line)
                    if t["name"] != nil { feed.name = v.nonEmptyString(t, "name") }
                    if t["interval"] != nil { feed.interval = v.duration(t, "interval", positive: true) }
                    config.feeds.append(feed)
                }
            } else {
                v.problem(feedNode.line, "'feed' must be written as [[feed]] tables")
            }
        }
        if !v.problems.isEmpty { throw ConfigProblems(v.problems) }
        return config
    }
}

/// Collects typed look-ups with a problem per bad key, so one pass reports all.
struct ConfigValidator {
    let file: String
    var problems: [ConfigProblem] = []

    init(file: String) { self.file = file }

    mutating func problem(_ line: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message: message))
    }

    mutating func allowKeys(_ t: TOMLTable, _ allowed: [String], context: String) {
        for (key, node) in t.entries where !allowed.contains(key) {
            let hint = allowed.min(by: { editDistance($0, key) < editDistance($1, key) })
                .flatMap { editDistance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
            problem(node.line, "unknown key '\(key)' in \(context)\(hint)")
        }
    }

    mutating func table(_ node: TOMLNode, _ key: String) -> TOMLTable? {
        if let t = node.table { return t }
        problem(node.line, "'\(key)' must be a table, got \(node.value.typeName)")
        return nil
    }

    mutating func nonEmptyString(_ t: TOMLTable, _ key: String) -> String? {
        guard let node = t[key] else { return nil }
        guard let s = node.string else {
            problem(node.line, "'\(key)' must be a string, got \(node.value.typeName)")
            return nil
        }
        if s.trimmingCharacters(in: .whitespaces).isEmpty {
            problem(node.line, "'\(key)' must not be empty")
            return nil
        }
        return s
    }

    mutating func integer(_ t: TOMLTable, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = t[key] else { return nil }
        guard let i = node.integer else {
            problem(node.line, "'\(key)' must be an integer, got \(node.value.typeName)")
            return nil
        }
        guard range.contains(Int(i)) else {
            problem(node.line, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
            return nil
        }
        return Int(i)
    }

    mutating func bool(_ t: TOMLTable, _ key: String) -> Bool? {
        guard let node = t[key] else { return nil }
        guard let b = node.bool else {
            problem(node.line, "'\(key)' must be true or false, got \(node.value.typeName)")
            return nil
        }
        return b
    }

    mutating func duration(_ t: TOMLTable, _ key: String, positive: Bool = false) -> Int? {
        guard let node = t[key] else { return nil }
        guard let s = node.string else {
            problem(node.line, "'\(key)' must be a duration string such as \"90s\", \"15m\", \"2h\" or \"1d\", got \(node.value.typeName)")
            return nil
        }
        guard let seconds = ConfigDuration.seconds(s) else {
            problem(node.line, "'\(key)': '\(s)' is not a duration (use e.g. \"90s\", \"15m\", \"2h\", \"1d\")")
            return nil
        }
        if positive && seconds == 0 {
            problem(node.line, "'\(key)' must be longer than zero")
            return nil
        }
        return seconds
    }

    mutating func size(_ t: TOMLTable, _ key: String) -> Int? {
        guard let node = t[key] else { return nil }
        if let i = node.integer, i > 0 { return Int(i) }
        if let s = node.string, let n = ConfigDuration.bytes(s), n > 0 { return n }
        problem(node.line, "'\(key)' must be a size such as \"16MiB\" or a positive number of bytes")
        return nil
    }
}

/// Durations of the config: "90s", "15m", "2h", "1d", combinations ("1h30m"),
/// and "0". Returns seconds.
public enum ConfigDuration {
    public static func seconds(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s == "0" { return 0 }
        var total = 0
        var number = ""
        var sawUnit = false
        for c in s {
            if c.isASCII && c.isNumber {
                number.append(c)
                continue
            }
            guard let n = Int(number) else { return nil }
            let unit: Int
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 7 * 86400
            default: return nil
            }
            let (product, overflow) = n.multipliedReportingOverflow(by: unit)
            if overflow { return nil }
            total += product
            number = ""
            sawUnit = true
        }
        return number.isEmpty && sawUnit ? total : nil
    }

    /// "16MiB", "512KiB", "1GiB", "100000".
    public static func bytes(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("GB", 1_000_000_000),
                                      ("MB", 1_000_000), ("KB", 1000), ("B", 1)]
        for (suffix, mult) in units where s.hasSuffix(suffix) {
            guard let n = Int(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            return n * mult
        }
        return Int(s)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}

/// Where the config lives (CONTRACT.md "Global"): `--config`, then
/// `$FEEDWATCH_CONFIG`, then /etc/feedwatch/feedwatch.toml, then
/// Config/feedwatch.toml in the current directory.
public enum ConfigLocator {
    public static func mainConfigPath(option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let env = ProcessInfo.processInfo.environment["FEEDWATCH_CONFIG"], !env.isEmpty { return env }
        if FileManager.default.fileExists(atPath: "/etc/feedwatch/feedwatch.toml") { return "/etc/feedwatch/feedwatch.toml" }
        return "Config/feedwatch.toml"
    }

    /// The keyword file named by the main config (resolved against its directory).
    public static func keywordsPath(configOption: String?) throws(ConfigProblems) -> String {
        try DaemonConfig.load(path: mainConfigPath(option: configOption)).keywordsFile
    }
}

extension DaemonConfig {
    /// The fetch limits this config sets; `feedwatch fetch` and the daemon use
    /// the same, so a debugging fetch behaves exactly like the daemon's.
    public var fetchLimits: FetchLimits {
        var limits = FetchLimits.default
        limits.connectTimeout = .seconds(connectTimeout)
        limits.totalTimeout = .seconds(fetchTimeout)
        limits.maxBodyBytes = maxBodyBytes
        return limits
    }
}
