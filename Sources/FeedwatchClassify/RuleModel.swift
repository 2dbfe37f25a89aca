/// The keyword configuration as data, before compilation (what `keywords.toml` maps to).
/// Every element keeps its line for `FILE:LINE` problems.
struct RuleModel: Sendable {
    var threshold: Double = 0
    var scoring = ScoringModel()
    var groups: [GroupModel] = []
    var requires: [RequireModel] = []
    var proximity: [ProximityModel] = []
    var roundup: RoundupModel? = nil
}

struct ScoringModel: Sendable {
    /// Term weights and proximity bonuses found in the title count this many times.
    var titleWeight: Double = 2
    /// Proximity bonuses in body sentence k (0-based) are multiplied by max(floor, decay^k):
    /// news puts the substance first (inverted pyramid).
    var positionDecay: Double = 1
    var positionFloor: Double = 1
}

struct TermModel: Sendable {
    /// How the analyst wrote it (first spelling); matches are reported under this name.
    var name: String
    /// All spellings, `name` included.
    var spellings: [String]
    var line: Int
    /// Compiled patterns per spelling, when the loader already compiled them (saves a second pass).
    var compiled: [[CompiledVariant]]? = nil
}

struct GroupModel: Sendable {
    var name: String
    var line: Int
    var weight: Double = 1
    /// Occurrences of one term counted at most this many times.
    var maxCount: Int = 3
    /// Cap on the group's total contribution (nil: none).
    var maxTotal: Double? = nil
    /// The group's matches also count as matches of these groups (for require/proximity/context).
    var countsAs: [String] = []
    /// Matches count only in a sentence (or the title) where all these groups are present.
    var context: [String] = []
    /// Exclusion group: its matches remove the matches of other groups they contain.
    var exclude: Bool = false
    var terms: [TermModel] = []
}

struct RequireModel: Sendable {
    var groups: [String]
    var line: Int
    /// What happens when a required group is missing: the score is multiplied by this (0 = no alert possible).
    var factor: Double = 0
}

struct ProximityModel: Sendable {
    var groups: [String]
    var line: Int
    /// Bonus for each sentence (or title) in which all groups are present.
    var sameSentence: Double
    /// Extra bonus when the matches are at most `words` words apart.
    var words: Int
    var near: Double
    /// At most this many sentences earn the bonus (the best ones).
    var maxSentences: Int
}

struct RoundupModel: Sendable {
    var line: Int
    /// Group whose every term is one more country.
    var countries: String
    /// Each of these groups present in the sentence counts as one more country.
    var sides: [String]
    var minCountries: Int
    /// Subtracted per list sentence (at most `maxSentences` times); list sentences earn no proximity/context.
    var penalty: Double
    var maxSentences: Int
}
