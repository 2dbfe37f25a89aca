import Foundation
import Testing
import FeedwatchCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RFC3339Tests {
    @Test func civilDaysRoundTripAndKnownValues() {
        #expect(CivilTime.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.daysFromCivil(year: 2000, month: 3, day: 1) == 11017)
        #expect(CivilTime.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            let c = CivilTime.civilFromDays(days)
            #expect(CivilTime.daysFromCivil(year: c.year, month: c.month, day: c.day) == days)
        }
    }

    /// Agrees with the C library's gmtime_r over years 1900–2100.
    @Test func formatMatchesGmtime() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let t = Int.random(in: -2_208_988_800...4_102_444_799, using: &rng)
            var tt = time_t(t)
            var tmv = tm()
            gmtime_r(&tt, &tmv)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1,
                                  Int(tmv.tm_mday), Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec))
            #expect(RFC3339.format(Date(timeIntervalSince1970: Double(t) + 0.75)) == expected)
        }
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_523_343_600)) == "2018-04-10T07:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .infinity)) == "1970-01-01T00:00:00Z")
    }
}
