import Foundation
import Testing
@testable import FeedwatchDaemon

/// The hand-written hints codec must read what JSONEncoder wrote (rows from
/// earlier versions) and write what JSONDecoder reads.
@Suite struct PollHintsJSONTests {
    func randomHints(_ rng: inout SystemRandomNumberGenerator) -> PollHints {
        func maybe(_ r: ClosedRange<Int>) -> Int? { Bool.random(using: &rng) ? Int.random(in: r, using: &rng) : nil }
        let expires: Date? = Bool.random(using: &rng)
            ? Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &rng)) : nil
        return PollHints(ttl: maybe(0...100_000), updatePeriod: maybe(1...1_000_000), cacheMaxAge: maybe(0...86400),
                         expires: expires,
                         skipHours: Set((0..<Int.random(in: 0...5, using: &rng)).map { _ in Int.random(in: 0...23, using: &rng) }),
                         skipDays: Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 1...7, using: &rng) }))
    }

    @Test func roundTripsBothWaysWithFoundationsCoders() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let h = randomHints(&rng)
            let foundation = String(decoding: try JSONEncoder().encode(h), as: UTF8.self)
            #expect(PollHints.parseFlat(foundation) == h, "\(foundation)")
            #expect(PollHints(storedJSON: foundation) == h)
            let ours = h.storedJSON
            #expect(try JSONDecoder().decode(PollHints.self, from: Data(ours.utf8)) == h, "\(ours)")
            #expect(PollHints(storedJSON: ours) == h)
        }
    }

    @Test func unknownShapesFallBackOrDefault() {
        // Spaces and reordered keys: still valid JSON for the fallback decoder.
        #expect(PollHints(storedJSON: #"{ "skipDays" : [1], "ttl": 60, "skipHours": [] }"#)
                == PollHints(ttl: 60, skipDays: [1]))
        // Not JSON at all, or a wrong type: no hints rather than a failed poll.
        #expect(PollHints(storedJSON: "garbage") == PollHints())
        #expect(PollHints(storedJSON: #"{"ttl":"x","skipHours":[],"skipDays":[]}"#) == PollHints())
        #expect(PollHints.parseFlat(#"{"ttl":60,"other":1,"skipHours":[],"skipDays":[]}"#) == nil)
    }
}
