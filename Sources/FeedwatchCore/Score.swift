/// The classifier's verdict on one article, with the explanation an analyst
/// needs to trust (or fix) it: every matched term, its group, weight and where
/// it was found. Produced by FeedwatchClassify, stored by FeedwatchStore and
/// carried into alerts by FeedwatchAlert.
public struct Score: Sendable, Equatable, Codable {
    public var value: Double
    public var threshold: Double
    public var alert: Bool { value >= threshold }
    public var matches: [TermMatch]
    /// Human-readable notes on how the score was built (proximity bonus,
    /// required group missing, exclusion applied …), for `--explain`.
    public var notes: [String]

    public init(value: Double, threshold: Double, matches: [TermMatch], notes: [String] = []) {
        self.value = value
        self.threshold = threshold
        self.matches = matches
        self.notes = notes
    }
}

/// One configured term that matched, aggregated over all its occurrences.
public struct TermMatch: Sendable, Equatable, Codable {
    public var term: String
    public var group: String
    public var weight: Double
    public var count: Int
    /// Word offsets (0-based) of each occurrence in the normalized text.
    public var positions: [Int]

    public init(term: String, group: String, weight: Double, count: Int, positions: [Int] = []) {
        self.term = term
        self.group = group
        self.weight = weight
        self.count = count
        self.positions = positions
    }
}
