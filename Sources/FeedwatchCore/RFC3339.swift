import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (Howard Hinnant's
/// `days_from_civil` / `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html):
/// exact for every year, locale- and time-zone-free, no Foundation `Calendar`.
/// Shared by the feed date parser, the HTTP-date parser and `RFC3339`.
public enum CivilTime {
    /// Days since 1970-01-01 of year-month-day.
    public static func daysFromCivil(year y0: Int, month m: Int, day d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Year, month, day of a day number (days since 1970-01-01).
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// RFC 3339 timestamps in UTC with a `Z` and second precision
/// (`2018-04-10T07:00:00Z`, RFC 3339 §5.6), as every output of feedwatch
/// writes them. Years are clamped to 0000–9999, the format's range.
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        append(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the timestamp as ASCII bytes (for writers that build bytes).
    public static func append(_ date: Date, to out: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970
        let t = seconds.isFinite ? Int(max(-1e15, min(1e15, seconds)).rounded(.down)) : 0
        var days = t / 86400
        var secs = t % 86400
        if secs < 0 { secs += 86400; days -= 1 }
        let (y0, m, d) = CivilTime.civilFromDays(days)
        let y = max(0, min(9999, y0))
        func two(_ v: Int) { out.append(UInt8(0x30 + v / 10)); out.append(UInt8(0x30 + v % 10)) }
        two(y / 100); two(y % 100)
        out.append(0x2D); two(m); out.append(0x2D); two(d)
        out.append(0x54); two(secs / 3600); out.append(0x3A); two(secs % 3600 / 60); out.append(0x3A); two(secs % 60)
        out.append(0x5A)
    }
}
