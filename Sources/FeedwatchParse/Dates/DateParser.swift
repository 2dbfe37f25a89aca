import Foundation
import FeedwatchCore

/// Parses the date forms feeds use into absolute instants. Tolerant about
/// layout, strict about values: a field out of range (month 13, 25 o'clock,
/// day 31 in April, zone -99:99) makes the whole date nil rather than a
/// rolled-over guess (CONTRACT.md: "an unparseable date is null, never a guess").
///
/// Forms: RFC 822/1123/2822 (§3.3; with or without weekday, two-digit years per
/// RFC 2822 §4.3, named and numeric zones, long month names, missing spaces),
/// W3C-DTF / ISO 8601 (complete and reduced precision, fractional seconds,
/// space instead of `T`), asctime (C89 `asctime()` and Twitter's variant).
public enum DateParser {
    public static func parse(_ raw: String) -> Date? {
        var s = Substring(raw)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        guard !s.isEmpty, s.utf8.count < 100 else { return nil }
        let bytes = Array(s.utf8)
        if bytes[0] >= 0x30 && bytes[0] <= 0x39 && (bytes.count == 4 || (bytes.count > 4 && bytes[4] == 0x2D)) {
            if let d = parseW3C(bytes) { return d }
            if bytes.count >= 5 && bytes[4] == 0x2D { return nil }
        }
        return parseRFC822(bytes)
    }

    // MARK: W3C-DTF (https://www.w3.org/TR/NOTE-datetime) and ISO 8601 extended forms

    static func parseW3C(_ b: [UInt8]) -> Date? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func eat(_ c: UInt8) -> Bool {
            if i < b.count && b[i] == c { i += 1; return true }
            return false
        }
        guard let year = digits(4) else { return nil }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0
        var offset = 0
        if eat(0x2D) {
            guard let m = digits(2) else { return nil }
            month = m
            if eat(0x2D) {
                guard let d = digits(2) else { return nil }
                day = d
                if i < b.count && (b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20) {
                    i += 1
                    guard let h = digits(2), eat(0x3A), let mi = digits(2) else { return nil }
                    hour = h; minute = mi
                    if eat(0x3A) {
                        guard let se = digits(2) else { return nil }
                        second = se
                        if eat(0x2E) || eat(0x2C) {
                            let st = i
                            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                            guard i > st else { return nil }
                        }
                    }
                    if i < b.count {
                        _ = eat(0x20)
                        if eat(0x5A) || eat(0x7A) {
                            offset = 0
                        } else if i < b.count && (b[i] == 0x2B || b[i] == 0x2D) {
                            let sign = b[i] == 0x2D ? -1 : 1
                            i += 1
                            guard let zh = digits(2) else { return nil }
                            var zm = 0
                            if eat(0x3A) {
                                guard let m2 = digits(2) else { return nil }
                                zm = m2
                            } else if i < b.count {
                                guard let m2 = digits(2) else { return nil }
                                zm = m2
                            }
                            guard zh <= 14, zm <= 59 else { return nil }
                            offset = sign * (zh * 3600 + zm * 60)
                        } else {
                            return nil
                        }
                    }
                }
            }
        }
        guard i == b.count else { return nil }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    // MARK: RFC 822 family and asctime

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    private static let fullMonths: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "sept", "october", "november", "december",
    ]
    private static let weekdays: Set<String> = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "tues", "thur", "thurs",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    /// Named zones in hours·60+minutes east of UTC. RFC 822 §5.1 names, the
    /// one-letter-less US forms (AT/ET/CT/MT/PT) feeds write, and common
    /// abbreviations whose meaning is not disputed.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "etc/gmt": 0, "etc/utc": 0, "wet": 0,
        "edt": -4 * 60, "est": -5 * 60, "cdt": -5 * 60, "cst": -6 * 60,
        "mdt": -6 * 60, "mst": -7 * 60, "pdt": -7 * 60, "pst": -8 * 60,
        "at": -4 * 60, "ast": -4 * 60, "adt": -3 * 60,
        "et": -5 * 60, "ct": -6 * 60, "mt": -7 * 60, "pt": -8 * 60,
        "akst": -9 * 60, "akdt": -8 * 60, "hst": -10 * 60,
        "met": 60, "mest": 120, "cet": 60, "cest": 120, "bst": 60, "west": 60,
        "eet": 120, "eest": 180, "msk": 180, "msd": 240,
        "jst": 9 * 60, "kst": 9 * 60, "hkt": 8 * 60, "sgt": 8 * 60, "awst": 8 * 60,
        "acst": 9 * 60 + 30, "aest": 10 * 60, "aedt": 11 * 60, "nzst": 12 * 60, "nzdt": 13 * 60,
    ]

    static func parseRFC822(_ b: [UInt8]) -> Date? {
        // Tokens split on spaces and commas (the comma after the weekday may lack
        // its space), classified as they come: no token array is built.
        var month: Int?
        var time: (Int, Int, Int)?
        var offset: Int?
        var day: Int?
        var year: Int?
        var numberCount = 0
        var first = true
        var i = 0
        let n = b.count
        while i < n {
            while i < n && (b[i] == 0x20 || b[i] == 0x2C || b[i] == 0x09) { i += 1 }
            guard i < n else { break }
            let start = i
            while i < n && !(b[i] == 0x20 || b[i] == 0x2C || b[i] == 0x09) { i += 1 }
            let t = b[start..<i]
            if first {
                first = false
                if isWeekday(t) { continue }
            }
            if month == nil, let m = monthNumber(t) { month = m; continue }
            let c0 = t[t.startIndex]
            if time == nil, c0 >= 0x30 && c0 <= 0x39, t.contains(0x3A) {
                guard let tm = parseTime(t) else { return nil }
                time = tm
                continue
            }
            if t.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                // Day: a 1-2 digit number; year: a 4-digit one, else the remaining
                // 2-digit one (RFC 2822 §4.3: 00-49 → 20xx, 50-99 → 19xx).
                numberCount += 1
                let v = t.reduce(0) { $0 &* 10 &+ Int($1 &- 0x30) }
                if t.count == 4, year == nil { year = v }
                else if t.count <= 2, day == nil { day = v }
                else if t.count <= 2, year == nil { year = v < 50 ? 2000 + v : 1900 + v }
                else { return nil }
                continue
            }
            if offset == nil, time != nil || numberCount >= 2, let z = parseZone(t) {
                offset = z
                continue
            }
            return nil
        }
        guard let month, let day, let year else { return nil }
        let (h, mi, s) = time ?? (0, 0, 0)
        return makeDate(year: year, month: month, day: day, hour: h, minute: mi, second: s, offset: (offset ?? 0) * 60)
    }

    /// Zone token as bytes: the common names without building a String.
    private static func parseZone(_ t: ArraySlice<UInt8>) -> Int? {
        if t.count <= 3 {
            var k: UInt32 = 0
            for c in t { k = k << 8 | UInt32(lower(c)) }
            switch k {
            case 0x676D74, 0x757463, 0x7574, 0x7A: return 0  // gmt utc ut z
            default: break
            }
        }
        return parseZone(String(decoding: t, as: Unicode.UTF8.self).lowercased())
    }

    @inline(__always) private static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    private static func key3(_ t: ArraySlice<UInt8>) -> UInt32 {
        let i = t.startIndex
        return UInt32(lower(t[i])) << 16 | UInt32(lower(t[i + 1])) << 8 | UInt32(lower(t[i + 2]))
    }

    private static func isWeekday(_ t: ArraySlice<UInt8>) -> Bool {
        guard t.count >= 3 else { return false }
        switch key3(t) {
        case 0x6D6F6E, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756E:  // mon tue wed thu fri sat sun
            if t.count == 3 { return true }
            let l = String(decoding: t, as: Unicode.UTF8.self).lowercased()
            return weekdays.contains(l.hasSuffix(".") ? String(l.dropLast()) : l)
        default: return false
        }
    }

    private static func monthNumber(_ t: ArraySlice<UInt8>) -> Int? {
        var t = t
        if t.last == 0x2E { t = t.dropLast() }
        guard t.count >= 3 else { return nil }
        let m: Int
        switch key3(t) {
        case 0x6A616E: m = 1; case 0x666562: m = 2; case 0x6D6172: m = 3; case 0x617072: m = 4
        case 0x6D6179: m = 5; case 0x6A756E: m = 6; case 0x6A756C: m = 7; case 0x617567: m = 8
        case 0x736570: m = 9; case 0x6F6374: m = 10; case 0x6E6F76: m = 11; case 0x646563: m = 12
        default: return nil
        }
        if t.count == 3 { return m }
        return fullMonths.contains(String(decoding: t, as: Unicode.UTF8.self).lowercased()) ? m : nil
    }

    private static func parseTime(_ t: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        var vals: [Int] = []
        var cur = 0, digits = 0
        var i = t.startIndex
        var fraction = false
        while i < t.endIndex {
            let c = t[i]
            if c == 0x3A && !fraction {
                guard digits >= 1 && digits <= 2 else { return nil }
                vals.append(cur); cur = 0; digits = 0
            } else if c == 0x2E && vals.count == 2 && !fraction {
                fraction = true  // fractional seconds: ignored
            } else if c >= 0x30 && c <= 0x39 {
                if !fraction {
                    // A time field has at most 2 digits; stop before a long
                    // run of digits overflows (found by the parser fuzzer:
                    // "2024111111111111111111-03-02T15:38:20" as a dc:date).
                    guard digits < 2 else { return nil }
                    cur = cur * 10 + Int(c - 0x30)
                    digits += 1
                }
            } else {
                return nil
            }
            i += 1
        }
        guard digits >= 1 && digits <= 2 else { return nil }
        vals.append(cur)
        guard vals.count == 2 || vals.count == 3 else { return nil }
        return (vals[0], vals[1], vals.count == 3 ? vals[2] : 0)
    }

    /// Minutes east of UTC.
    private static func parseZone(_ z: String) -> Int? {
        switch z {
        case "gmt", "utc", "ut", "z": return 0
        default: break
        }
        if let v = zones[z] { return v }
        var s = Substring(z)
        for prefix in ["gmt", "utc", "ut", "etc/gmt"] where s.hasPrefix(prefix) && s.count > prefix.count {
            s = s.dropFirst(prefix.count)
            break
        }
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        s = s.dropFirst()
        var hh = 0, mm = 0
        if let colon = s.firstIndex(of: ":") {
            let h = s[..<colon], m = s[s.index(after: colon)...]
            guard (1...2).contains(h.count), m.count == 2, let hv = Int(h), let mv = Int(m),
                  h.allSatisfy(\.isNumber), m.allSatisfy(\.isNumber) else { return nil }
            hh = hv; mm = mv
        } else {
            guard s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            switch s.count {
            case 1, 2: hh = Int(s)!
            case 4: hh = Int(s.prefix(2))!; mm = Int(s.suffix(2))!
            case 3: hh = Int(s.prefix(1))!; mm = Int(s.suffix(2))!
            default: return nil
            }
        }
        guard hh <= 14, mm <= 59 else { return nil }
        let v = hh * 60 + mm
        return sign == "-" ? -v : v
    }

    // MARK: calendar arithmetic (proleptic Gregorian, no Foundation Calendar needed)

    static func makeDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= daysInMonth(year, month), (0...23).contains(hour), (0...59).contains(minute),
              (0...59).contains(second) else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        let t = Double(days * 86400 + hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: t)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
