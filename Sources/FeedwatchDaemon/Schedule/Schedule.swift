import Foundation

/// Publisher's polling hints that the scheduler honours as *lower bounds* on the
/// interval (we never poll more often than the publisher asks), gathered from
/// the feed document and the HTTP response. Stored with the feed's state.
public struct PollHints: Sendable, Equatable, Codable {
    /// RSS 2.0 `<ttl>` (https://www.rssboard.org/rss-specification#ltttlgtSubelementOfLtchannelgt), seconds.
    public var ttl: Int?
    /// RSS 1.0 syndication module `sy:updatePeriod` / `sy:updateFrequency`, seconds.
    public var updatePeriod: Int?
    /// HTTP `Cache-Control: max-age` (RFC 9111 §5.2.2.1), seconds.
    public var cacheMaxAge: Int?
    /// HTTP `Expires` (RFC 9111 §5.3).
    public var expires: Date?
    /// RSS `<skipHours>` (0–23, UTC) and `<skipDays>` (1 = Sunday … 7 = Saturday).
    public var skipHours: Set<Int>
    public var skipDays: Set<Int>

    public init(ttl: Int? = nil, updatePeriod: Int? = nil, cacheMaxAge: Int? = nil, expires: Date? = nil,
                skipHours: Set<Int> = [], skipDays: Set<Int> = []) {
        self.ttl = ttl
        self.updatePeriod = updatePeriod
        self.cacheMaxAge = cacheMaxAge
        self.expires = expires
        self.skipHours = skipHours
        self.skipDays = skipDays
    }
}

/// What happened on the feed's last poll, as far as scheduling cares.
public enum PollOutcome: Sendable, Equatable {
    case success              // 200 (new body or same body) or 304
    case failure(retryAfter: Int?)   // any error; 429/503 may carry Retry-After seconds
    case gone                 // 410: never polled again
}

public struct ScheduleSettings: Sendable, Equatable {
    public var minInterval: Int
    public var maxInterval: Int
    public var maxBackoff: Int
    /// Retry-After is honoured up to this (a day), so a typo on the server
    /// cannot silence a feed for a year.
    public var retryAfterCap: Int = 24 * 3600
    /// Spread: each feed's interval is stretched by up to this fraction, by a
    /// stable per-feed amount, so feeds added together drift apart.
    public var jitterFraction: Double = 0.1

    public init(minInterval: Int, maxInterval: Int, maxBackoff: Int) {
        self.minInterval = minInterval
        self.maxInterval = maxInterval
        self.maxBackoff = maxBackoff
    }
}

/// Schedule maths: a pure function of (feed, hints, outcome, settings, now) so
/// it is table-tested without sleeping (DESIGN.md rule 8).
public enum Schedule {
    /// The interval the feed asks for and we agree to: the configured interval,
    /// raised to the publisher's hints, clamped to [min, max].
    public static func effectiveInterval(configured: Int, hints: PollHints, settings: ScheduleSettings, now: Date) -> Int {
        var interval = configured
        for hint in [hints.ttl, hints.updatePeriod, hints.cacheMaxAge] {
            if let h = hint, h > 0 { interval = max(interval, h) }
        }
        if let expires = hints.expires {
            let remaining = Int(expires.timeIntervalSince(now).rounded(.up))
            if remaining > 0 { interval = max(interval, remaining) }
        }
        return min(max(interval, settings.minInterval), max(settings.maxInterval, settings.minInterval))
    }

    /// When the feed is due next, or nil when it must never be polled again (410).
    /// - Parameters:
    ///   - consecutiveErrors: the count *including* this outcome when it failed.
    ///   - feedKey: stable per-feed string (its URL) for the jitter.
    public static func nextDue(feedKey: String, configured: Int, hints: PollHints, outcome: PollOutcome,
                               consecutiveErrors: Int, settings: ScheduleSettings, now: Date) -> Date? {
        let base = effectiveInterval(configured: configured, hints: hints, settings: settings, now: now)
        var delay: Int
        switch outcome {
        case .gone:
            return nil
        case .success:
            delay = base + jitter(feedKey: feedKey, interval: base, fraction: settings.jitterFraction)
        case .failure(let retryAfter):
            // Exponential backoff from the normal interval, capped; never giving up.
            let exponent = min(max(consecutiveErrors - 1, 0), 20)
            let backoff = min(Double(base) * pow(2, Double(exponent)), Double(max(settings.maxBackoff, base)))
            delay = Int(backoff)
            if let r = retryAfter, r > 0 {
                delay = max(delay, min(r, settings.retryAfterCap))
            }
        }
        return skipping(now.addingTimeInterval(TimeInterval(delay)), hints: hints)
    }

    /// A stable offset in [0, fraction × interval) derived from the feed key
    /// (FNV-1a), so the same feed keeps its phase across restarts.
    public static func jitter(feedKey: String, interval: Int, fraction: Double) -> Int {
        let span = Int(Double(interval) * fraction)
        guard span > 0 else { return 0 }
        var h: UInt64 = 0xcbf29ce484222325
        for b in feedKey.utf8 {
            h ^= UInt64(b)
            h &*= 0x100000001b3
        }
        return Int(h % UInt64(span))
    }

    /// Moves `date` past hours and days the publisher asked us to skip (RSS
    /// `<skipHours>`/`<skipDays>`, in GMT). A hint that skips every hour or
    /// every day is ignored rather than silencing the feed.
    public static func skipping(_ date: Date, hints: PollHints) -> Date {
        let hours = hints.skipHours.filter { (0..<24).contains($0) }
        let days = hints.skipDays.filter { (1...7).contains($0) }
        if hours.isEmpty && days.isEmpty { return date }
        if hours.count >= 24 || days.count >= 7 { return date }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var d = date
        for _ in 0..<(24 * 8) {
            let c = utc.dateComponents([.hour, .weekday], from: d)
            let skipDay = days.contains(c.weekday ?? 0)
            let skipHour = hours.contains(c.hour ?? 0)
            if !skipDay && !skipHour { return d }
            // Jump to the start of the next hour and look again.
            let startOfHour = utc.date(from: utc.dateComponents([.year, .month, .day, .hour], from: d)) ?? d
            d = startOfHour.addingTimeInterval(3600)
        }
        return date
    }
}

/// "Our own outage is not the feeds' fault": when nearly every recent fetch
/// failed at the network level (DNS, connect, timeout — not HTTP statuses)
/// across several hosts, the machine's network is down. The daemon then backs
/// off globally and does not count those failures against each feed.
public struct OutageDetector: Sendable {
    public var window: Int
    public var threshold: Double
    public var minHosts: Int
    private var recent: [(host: String, networkFailure: Bool)] = []

    public init(window: Int = 12, threshold: Double = 0.9, minHosts: Int = 3) {
        self.window = window
        self.threshold = threshold
        self.minHosts = minHosts
    }

    public mutating func record(host: String, networkFailure: Bool) {
        recent.append((host, networkFailure))
        if recent.count > window { recent.removeFirst(recent.count - window) }
    }

    /// True when the recent window is full, spans enough hosts and is mostly
    /// network failures.
    public var isOutage: Bool {
        guard recent.count >= window else { return false }
        let failures = recent.filter(\.networkFailure)
        let hosts = Set(failures.map(\.host))
        return Double(failures.count) / Double(recent.count) >= threshold && hosts.count >= minHosts
    }

    public mutating func reset() { recent.removeAll() }
}
