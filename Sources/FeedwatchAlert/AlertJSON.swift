import FeedwatchCore
import Foundation

/// The one canonical JSON form of an alert, used for both sinks (spool file
/// body and alert-log line) and read back by `feedwatch tail`
/// (CONTRACT.md, "Alert spool and alert log").
///
/// - One line, keys sorted, so the same alert always encodes to the same bytes
///   (a re-delivered spool file is byte-identical; diffs of the log are stable).
/// - Dates are RFC 3339 (section 5.6) in UTC with a `Z`: whole seconds, or
///   milliseconds when the date has a sub-second part.
/// - Optional fields are written as `null` rather than omitted, so consumers
///   (jq, scripts) always find every key of the contract.
/// - `matches` carry term, group, weight and count (the contract's fields);
///   word positions are an `--explain` detail and are not written.
/// - Terminal-safe: besides the escapes JSON requires (RFC 8259 section 7:
///   U+0000–U+001F), DEL, the C1 controls (U+0080–U+009F), bidi controls
///   and U+2028/U+2029 are written as `\uXXXX`, so `tail -F alerts.log` on a
///   terminal can never receive a control sequence from feed text.
public enum AlertJSON {
    public static func encode(_ a: Alert) -> String {
        let wire = AlertWire(a)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(AlertTimestamp.format(date))
        }
        // Encoding a struct of strings, numbers and arrays cannot fail, except
        // for non-finite numbers; AlertWire writes those as null.
        guard let data = try? encoder.encode(wire) else {
            return #"{"error":"unencodable alert","id":"# + quote(a.id) + "}"
        }
        return TerminalSafe.escapeJSON(String(decoding: data, as: UTF8.self))
    }

    /// Decodes one line written by `encode` (or any JSON object with the same
    /// keys; unknown keys are ignored, missing optional keys are nil).
    public static func decode(_ line: String) -> Alert? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { dec in
            let c = try dec.singleValueContainer()
            let s = try c.decode(String.self)
            guard let d = AlertTimestamp.parse(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 date")
            }
            return d
        }
        guard let wire = try? decoder.decode(AlertWire.self, from: Data(line.utf8)) else { return nil }
        return wire.alert
    }

    /// Only the `id` of a log line, cheaper than a full decode (for the
    /// reconcile scan of the log's tail).
    static func decodeID(_ bytes: ArraySlice<UInt8>) -> String? {
        struct IDOnly: Decodable { var id: String }
        return (try? JSONDecoder().decode(IDOnly.self, from: Data(bytes)))?.id
    }

    private static func quote(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data(#""""#.utf8)
        return TerminalSafe.escapeJSON(String(decoding: data, as: UTF8.self))
    }
}

/// The alert as written on the wire. Separate from `Alert`'s own Codable so
/// nulls are explicit and the field set is exactly the contract's.
private struct AlertWire: Codable {
    struct Match: Codable {
        var term: String
        var group: String
        var weight: Double?
        var count: Int

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(term, forKey: .term)
            try c.encode(group, forKey: .group)
            try c.encode(weight, forKey: .weight)
            try c.encode(count, forKey: .count)
        }
    }

    struct Source: Codable {
        var feed: String
        var url: String?
        var title: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(feed, forKey: .feed)
            try c.encode(url, forKey: .url)
            try c.encode(title, forKey: .title)
        }
    }

    var id: String
    var storyID: String
    var feed: String
    var url: String?
    var title: String?
    var published: Date?
    var fetched: Date
    var score: Double?
    var threshold: Double?
    var matches: [Match]
    var summary: String?
    var sources: [Source]

    enum CodingKeys: String, CodingKey {
        case id, storyID = "story_id", feed, url, title, published, fetched
        case score, threshold, matches, summary, sources
    }

    init(_ a: Alert) {
        // JSON has no NaN or infinity (RFC 8259 section 6): write null.
        func finite(_ d: Double) -> Double? { d.isFinite ? d : nil }
        id = a.id
        storyID = a.storyID
        feed = a.feed
        url = a.url
        title = a.title
        published = a.published
        fetched = a.fetched
        score = finite(a.score)
        threshold = finite(a.threshold)
        matches = a.matches.map { Match(term: $0.term, group: $0.group, weight: finite($0.weight), count: $0.count) }
        summary = a.summary
        sources = a.sources.map { Source(feed: $0.feed, url: $0.url, title: $0.title) }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        storyID = try c.decodeIfPresent(String.self, forKey: .storyID) ?? id
        feed = try c.decodeIfPresent(String.self, forKey: .feed) ?? ""
        url = try c.decodeIfPresent(String.self, forKey: .url)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        published = try c.decodeIfPresent(Date.self, forKey: .published)
        fetched = try c.decode(Date.self, forKey: .fetched)
        score = try c.decodeIfPresent(Double.self, forKey: .score)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        matches = try c.decodeIfPresent([Match].self, forKey: .matches) ?? []
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        sources = try c.decodeIfPresent([Source].self, forKey: .sources) ?? []
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(storyID, forKey: .storyID)
        try c.encode(feed, forKey: .feed)
        try c.encode(url, forKey: .url)
        try c.encode(title, forKey: .title)
        try c.encode(published, forKey: .published)
        try c.encode(fetched, forKey: .fetched)
        try c.encode(score, forKey: .score)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(matches, forKey: .matches)
        try c.encode(summary, forKey: .summary)
        try c.encode(sources, forKey: .sources)
    }

    var alert: Alert {
        Alert(
            id: id, storyID: storyID, feed: feed, url: url, title: title,
            published: published, fetched: fetched, score: score ?? .nan, threshold: threshold ?? .nan,
            matches: matches.map { TermMatch(term: $0.term, group: $0.group, weight: $0.weight ?? .nan, count: $0.count) },
            summary: summary, sources: sources.map { AlertSource(feed: $0.feed, url: $0.url, title: $0.title) }
        )
    }
}

/// RFC 3339 section 5.6 timestamps in UTC, formatted by hand so the output
/// does not depend on locale or formatter settings.
enum AlertTimestamp {
    static func format(_ date: Date) -> String {
        // Round to milliseconds first so 59.9996 s does not print as "60".
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let ms = Int(((totalMs % 1000) + 1000) % 1000)
        let secsTotal = (totalMs - Int64(ms)) / 1000
        let days = secsTotal >= 0 ? secsTotal / 86400 : (secsTotal - 86399) / 86400
        let secs = secsTotal - days * 86400
        let hh = Int(secs / 3600), mm = Int(secs % 3600 / 60), ss = Int(secs % 60)
        let (y, m, d) = CivilTime.civilFromDays(Int(days))
        var s = pad(Int(y), 4) + "-" + pad(Int(m), 2) + "-" + pad(Int(d), 2)
        s += "T" + pad(hh, 2) + ":" + pad(mm, 2) + ":" + pad(ss, 2)
        if ms != 0 { s += "." + pad(ms, 3) }
        return s + "Z"
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with the lower-case and
    /// space separators RFC 3339 section 5.6 allows.
    static func parse(_ s: String) -> Date? {
        let b = Array(s.utf8)
        func num(_ at: Int, _ n: Int) -> Int? {
            guard at >= 0, at + n <= b.count else { return nil }
            var v = 0
            for i in at..<at + n {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              [84, 116, 32].contains(b[10]), let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58,
              let sec = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var frac = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                frac += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58,
                  let om = num(i + 4, 2) {
            offset = (oh * 60 + om) * 60 * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilTime.daysFromCivil(year: y, month: mo, day: d)
        let whole = days * 86400 + h * 3600 + mi * 60 + sec - offset
        // Keep milliseconds exact: build from integer milliseconds.
        let ms = (frac * 1000).rounded()
        return Date(timeIntervalSince1970: (Double(whole) * 1000 + ms) / 1000)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
