import Foundation

/// The stored form of `PollHints` (the `feed.hints` column): the JSON that
/// `JSONEncoder` writes for the type's `Codable` conformance — keys in
/// declaration order, absent optionals left out, `expires` as seconds since
/// 2001-01-01 (`Date`'s default strategy), the sets as arrays.
///
/// Written and read by hand because every poll reads and writes it: with
/// Foundation's coders it was 4% of a warm (all-304) pass. Anything this
/// reader does not recognise goes to `JSONDecoder`, so rows written by any
/// earlier version still load.
extension PollHints {
    var storedJSON: String {
        var out = "{"
        if let ttl { out += "\"ttl\":\(ttl)," }
        if let updatePeriod { out += "\"updatePeriod\":\(updatePeriod)," }
        if let cacheMaxAge { out += "\"cacheMaxAge\":\(cacheMaxAge)," }
        if let expires, expires.timeIntervalSinceReferenceDate.isFinite {
            out += "\"expires\":\(expires.timeIntervalSinceReferenceDate),"
        }
        out += "\"skipHours\":[" + skipHours.sorted().map(String.init).joined(separator: ",") + "],"
        out += "\"skipDays\":[" + skipDays.sorted().map(String.init).joined(separator: ",") + "]}"
        return out
    }

    init(storedJSON json: String) {
        if let fast = PollHints.parseFlat(json) {
            self = fast
        } else if let data = json.data(using: .utf8), let h = try? JSONDecoder().decode(PollHints.self, from: data) {
            self = h
        } else {
            self = PollHints()
        }
    }

    /// `{"key":number|[ints],…}` with exactly this type's keys; nil on anything else.
    static func parseFlat(_ json: String) -> PollHints? {
        var json = json
        return json.withUTF8 { b -> PollHints? in
            var i = 0
            let n = b.count
            func skipSpace() { while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
            func expect(_ c: UInt8) -> Bool { skipSpace(); guard i < n, b[i] == c else { return false }; i += 1; return true }
            func number() -> Double? {
                skipSpace()
                let start = i
                while i < n, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E
                    || b[i] == 0x65 || b[i] == 0x45 { i += 1 }
                guard i > start else { return nil }
                return Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
            }
            func int() -> Int? {
                guard let d = number(), d == d.rounded(), abs(d) < 1e15 else { return nil }
                return Int(d)
            }
            func ints() -> Set<Int>? {
                guard expect(0x5B) else { return nil }
                var set: Set<Int> = []
                if expect(0x5D) { return set }
                while true {
                    guard let v = int() else { return nil }
                    set.insert(v)
                    if expect(0x5D) { return set }
                    guard expect(0x2C) else { return nil }
                }
            }
            var h = PollHints()
            guard expect(0x7B) else { return nil }
            if expect(0x7D) { return i == n ? h : nil }
            while true {
                guard expect(0x22) else { return nil }
                let start = i
                while i < n, b[i] != 0x22, b[i] != 0x5C { i += 1 }
                guard i < n, b[i] == 0x22 else { return nil }
                let key = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                guard expect(0x3A) else { return nil }
                switch key {
                case "ttl": guard let v = int() else { return nil }; h.ttl = v
                case "updatePeriod": guard let v = int() else { return nil }; h.updatePeriod = v
                case "cacheMaxAge": guard let v = int() else { return nil }; h.cacheMaxAge = v
                case "expires": guard let v = number() else { return nil }; h.expires = Date(timeIntervalSinceReferenceDate: v)
                case "skipHours": guard let v = ints() else { return nil }; h.skipHours = v
                case "skipDays": guard let v = ints() else { return nil }; h.skipDays = v
                default: return nil
                }
                if expect(0x7D) { skipSpace(); return i == n ? h : nil }
                guard expect(0x2C) else { return nil }
            }
        }
    }
}
