import FeedwatchCore

/// The compiled keyword rules: one automaton for every spelling of every term, plus the
/// scoring structure. Immutable and `Sendable`: the daemon compiles a new value on reload
/// and swaps it in one assignment; scoring never mutates it, so any number of tasks may
/// score concurrently.
public struct KeywordRules: Sendable {
    public let threshold: Double
    /// Number of configured terms (not spellings or patterns).
    public var termCount: Int { terms.count }

    let automaton: Automaton
    let scoring: ScoringModel
    let groups: [CGroup]
    let terms: [CTerm]
    let variants: [CVariant]
    /// Per pattern: (variant, piece index) pairs.
    let patternUses: [[(variant: Int32, piece: Int32)]]
    let patternWords: [Int32]
    /// Flat copies for the per-hit loop: uses of pattern p are useVariant/usePiece[useStart[p]..<useStart[p+1]].
    let useStart: [Int32]
    let useVariant: [Int32]
    let usePiece: [Int32]
    let variantTerm: [Int32]
    let variantPieces: [Int32]
    let variantComma: [Bool]
    let requires: [CRequire]
    let proximity: [CProximity]
    let roundup: CRoundup?

    struct CGroup: Sendable {
        var name: String
        var weight: Double
        var maxCount: Int
        var maxTotal: Double?
        /// Own bit | counts_as bits.
        var presence: UInt64
        var context: UInt64
        var exclude: Bool
    }
    struct CTerm: Sendable {
        var name: String
        var group: Int
    }
    struct CVariant: Sendable {
        var term: Int32
        var patterns: [Int32]
        var pieceWords: [Int32]
        /// Written with a comma-like separator, so it may match across one.
        var allowsComma: Bool
    }
    struct CRequire: Sendable {
        var mask: UInt64
        var names: [String]
        var bits: [UInt64]
        var factor: Double
    }
    struct CProximity: Sendable {
        var a: UInt64
        var b: UInt64
        var name: String
        var sameSentence: Double
        var words: Int
        var near: Double
        var maxSentences: Int
    }
    struct CRoundup: Sendable {
        var countries: Int
        var sides: [UInt64]
        var minCountries: Int
        var penalty: Double
        var maxSentences: Int
    }

    /// Compiles a validated model. Spellings that fail to compile must have been reported by the loader.
    init(model: RuleModel) {
        threshold = model.threshold
        scoring = model.scoring
        var index: [String: Int] = [:]
        for (i, g) in model.groups.enumerated() { index[g.name] = i }
        // Names that only occur in counts_as ("sides") get bits after the groups.
        for g in model.groups { for n in g.countsAs where index[n] == nil { index[n] = index.count } }
        func bit(_ name: String) -> UInt64 { index[name].map { $0 < 64 ? 1 << UInt64($0) : 0 } ?? 0 }
        func mask(_ names: [String]) -> UInt64 { names.reduce(0) { $0 | bit($1) } }

        var groups: [CGroup] = []
        var terms: [CTerm] = []
        var variants: [CVariant] = []
        var patternIndex: [[UInt8]: Int32] = [:]
        var patterns: [[UInt8]] = []
        var uses: [[(variant: Int32, piece: Int32)]] = []
        var words: [Int32] = []
        for (gi, g) in model.groups.enumerated() {
            groups.append(CGroup(name: g.name, weight: g.weight, maxCount: g.maxCount, maxTotal: g.maxTotal,
                                 presence: bit(g.name) | mask(g.countsAs), context: mask(g.context), exclude: g.exclude))
            for t in g.terms {
                let ti = Int32(terms.count)
                terms.append(CTerm(name: t.name, group: gi))
                for (si, spelling) in t.spellings.enumerated() {
                    let vs: [CompiledVariant]
                    if let c = t.compiled, si < c.count {
                        vs = c[si]
                    } else {
                        guard case .success(let v) = TermCompiler.compile(spelling) else { continue }
                        vs = v
                    }
                    for v in vs {
                        let vi = Int32(variants.count)
                        var pids: [Int32] = []
                        for (pi, p) in v.pieces.enumerated() {
                            let pid: Int32
                            if let existing = patternIndex[p] {
                                pid = existing
                            } else {
                                pid = Int32(patterns.count)
                                patternIndex[p] = pid
                                patterns.append(p)
                                uses.append([])
                                words.append(Int32(v.pieceWords[pi]))
                            }
                            uses[Int(pid)].append((vi, Int32(pi)))
                            pids.append(pid)
                        }
                        variants.append(CVariant(term: ti, patterns: pids, pieceWords: v.pieceWords.map { Int32($0) },
                                                 allowsComma: v.allowsComma))
                    }
                }
            }
        }
        automaton = Automaton(patterns: patterns)
        self.groups = groups
        self.terms = terms
        self.variants = variants
        patternUses = uses
        patternWords = words
        var us: [Int32] = [], uv: [Int32] = [], up: [Int32] = []
        for u in uses {
            us.append(Int32(uv.count))
            for x in u { uv.append(x.variant); up.append(x.piece) }
        }
        us.append(Int32(uv.count))
        useStart = us
        useVariant = uv
        usePiece = up
        variantTerm = variants.map(\.term)
        variantPieces = variants.map { Int32($0.patterns.count) }
        variantComma = variants.map(\.allowsComma)
        requires = model.requires.map { CRequire(mask: mask($0.groups), names: $0.groups, bits: $0.groups.map(bit), factor: $0.factor) }
        proximity = model.proximity.map {
            CProximity(a: bit($0.groups[0]), b: bit($0.groups[1]), name: $0.groups.joined(separator: "+"),
                       sameSentence: $0.sameSentence, words: $0.words, near: $0.near, maxSentences: $0.maxSentences)
        }
        roundup = model.roundup.map {
            CRoundup(countries: index[$0.countries] ?? 0, sides: $0.sides.map(bit), minCountries: $0.minCountries,
                     penalty: $0.penalty, maxSentences: $0.maxSentences)
        }
    }

    /// Number of automaton patterns and states (for diagnostics and the benchmark).
    var patternCount: Int { patternWords.count }
    var stateCount: Int { automaton.stateCount }
}
