import Testing
@testable import FeedwatchCore

@Test func verdictFollowsThreshold() {
    #expect(Score(value: 6, threshold: 6, matches: []).alert)
    #expect(!Score(value: 5.99, threshold: 6, matches: []).alert)
}
