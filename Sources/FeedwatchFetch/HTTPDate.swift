import Foundation
import FeedwatchCore

/// HTTP-date (RFC 9110 §5.6.7) parsing without DateFormatter (locale- and
/// thread-independent, and cheap): IMF-fixdate plus the two obsolete forms a
/// recipient MUST accept, rfc850-date and asctime-date.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since the Unix epoch, or nil when `s` is not an HTTP-date.
    static func parse(_ s: String) -> Date? {
        // Tokenize on spaces, commas, dashes and colons, e.g.
        //   "Sun, 06 Nov 1994 08:49:37 GMT"   (IMF-fixdate)
        //   "Sunday, 06-Nov-94 08:49:37 GMT"  (rfc850-date)
        //   "Sun Nov  6 08:49:37 1994"        (asctime-date)
        let tokens = s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == ":" || $0 == "\t" })
            .map { $0.lowercased() }
        guard tokens.count >= 7 else { return nil }
        var day: Int?, month: Int?, year: Int?, hour: Int?, minute: Int?, second: Int?
        let isAsctime = months.contains(String(tokens[1].prefix(3))) && tokens[1].count == 3
        if isAsctime {
            // wkday month day hh mm ss year
            month = months.firstIndex(of: tokens[1]).map { $0 + 1 }
            day = Int(tokens[2]); hour = Int(tokens[3]); minute = Int(tokens[4])
            second = Int(tokens[5]); year = Int(tokens[6])
        } else {
            // wkday day month year hh mm ss GMT
            guard tokens.count >= 8, tokens[7] == "gmt" || tokens[7] == "utc" || tokens[7] == "ut" else { return nil }
            day = Int(tokens[1])
            month = months.firstIndex(of: String(tokens[2].prefix(3))).map { $0 + 1 }
            year = Int(tokens[3])
            hour = Int(tokens[4]); minute = Int(tokens[5]); second = Int(tokens[6])
            // RFC 9110 §5.6.7: a two-digit year more than 50 years in the
            // future is in the past century.
            if let y = year, tokens[3].count == 2 {
                let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date()) % 100
                year = y + ((y > thisYear + 50) ? 1900 : 2000)
            }
        }
        guard let d = day, let mo = month, let y = year, let h = hour, let mi = minute, let se = second,
              (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(se),
              y >= 1900 else { return nil }
        let days = CivilTime.daysFromCivil(year: y, month: mo, day: d)
        return Date(timeIntervalSince1970: Double(days * 86400 + h * 3600 + mi * 60 + se))
    }


}

/// The response header fields the fetcher interprets, collected from libcurl's
/// header callback for one hop.
struct ResponseHeaders: Sendable {
    var status: Int?
    /// Lower-cased field name → values in arrival order.
    private(set) var fields: [String: [String]] = [:]

    mutating func reset() { status = nil; fields = [:] }

    /// Feeds one raw header line (with or without CRLF). A status line starts a
    /// new response (1xx interim responses are discarded the same way).
    mutating func add(line: String) {
        var copy = line
        copy.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte-level version used by libcurl's header callback (called for
    /// every header line of every response, so it avoids Foundation).
    /// Field values are ASCII in practice; a value that is not UTF-8
    /// (obs-text, RFC 9110 §5.5) is kept as Latin-1 so nothing is lost.
    mutating func add(bytes raw: UnsafeRawBufferPointer) {
        var end = raw.count
        while end > 0 && (raw[end - 1] == 0x0D || raw[end - 1] == 0x0A) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: raw[0..<end])
        if line.starts(with: "HTTP/".utf8) {
            reset()
            var i = 0
            while i < line.count && line[i] != 0x20 { i += 1 }
            while i < line.count && line[i] == 0x20 { i += 1 }
            var code = 0, digits = 0
            while i < line.count && line[i] >= 0x30 && line[i] <= 0x39 && digits < 3 {
                code = code * 10 + Int(line[i] - 0x30); i += 1; digits += 1
            }
            status = digits == 3 ? code : nil
            return
        }
        guard let colon = line.firstIndex(of: 0x3A), colon > 0 else { return }
        let name = String(decoding: line[0..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
        var a = colon + 1, b = line.count
        while a < b && (line[a] == 0x20 || line[a] == 0x09) { a += 1 }
        while b > a && (line[b - 1] == 0x20 || line[b - 1] == 0x09) { b -= 1 }
        let valueBytes = UnsafeRawBufferPointer(rebasing: line[a..<b])
        let value = String(validating: valueBytes, as: UTF8.self)
            ?? String(String.UnicodeScalarView(valueBytes.map { Unicode.Scalar($0) }))
        fields[name, default: []].append(value)
    }

    func first(_ name: String) -> String? { fields[name]?.first }

    /// All comma-separated list members of a field across its lines (RFC 9110 §5.3).
    func list(_ name: String) -> [String] {
        (fields[name] ?? []).flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. A date
    /// is measured against the response's own Date header when present, so a
    /// skewed local clock does not distort it; otherwise against `now`.
    func retryAfterSeconds(now: Date) -> Int? {
        guard let v = first("retry-after")?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if v.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Int(v) ?? Int.max
        }
        guard let when = HTTPDate.parse(v) else { return nil }
        let reference = first("date").flatMap(HTTPDate.parse) ?? now
        return max(0, Int((when.timeIntervalSince(reference)).rounded(.up)))
    }

    /// Cache-Control max-age (RFC 9111 §5.2.2.1), quoted form tolerated.
    var cacheMaxAgeSeconds: Int? {
        for directive in list("cache-control") {
            let parts = directive.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "max-age" else { continue }
            let raw = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
            guard !raw.isEmpty, raw.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(raw) ?? Int.max
        }
        return nil
    }

    /// Expires (RFC 9111 §5.3): an invalid date, notably "0", MUST be taken as
    /// a time in the past; reported as the epoch.
    var expires: Date? {
        guard let v = first("expires") else { return nil }
        return HTTPDate.parse(v) ?? Date(timeIntervalSince1970: 0)
    }
}
