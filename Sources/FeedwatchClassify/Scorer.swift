import FeedwatchCore

/// One occurrence of a term after pieces were joined and exclusions applied.
struct Occurrence: Sendable {
    var term: Int
    var start: Int32
    var end: Int32
    var unit: Int32
}

extension KeywordRules {
    /// Scores one article. `body` may be plain text or HTML (converted with HTMLText);
    /// `title` counts `title_weight` times and is its own "sentence" for proximity.
    public func score(title: String?, body: String) -> Score {
        let text = Self.looksLikeHTML(body) ? HTMLText.plainText(body) : body
        let titleText = title.map { Self.looksLikeHTML($0) ? HTMLText.plainText($0) : $0 }
        var hits: [Hit] = []
        hits.reserveCapacity(64)
        let summary = Scanner.scan(title: titleText, body: text, automaton: automaton, hits: &hits)
        return evaluate(hits: hits, summary: summary)
    }

    static func looksLikeHTML(_ s: String) -> Bool {
        var sawLT = false
        for b in s.utf8 {
            if sawLT {
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x2F || b == 0x21 { return true }
                sawLT = false
            }
            if b == 0x3C { sawLT = true }
            else if b == 0x26 { return true }   // character references
        }
        return false
    }

    func occurrences(from hits: [Hit], commaWords: [Int32]) -> [Occurrence] {
        var occ: [Occurrence] = []
        occ.reserveCapacity(hits.count)
        // Ends of pieces that belong to multi-piece variants, for the adjacency check.
        var pieceEnds: [Int32: Set<Int32>] = [:]
        var multi: [Hit] = []
        for h in hits {
            for use in patternUses[Int(h.pattern)] {
                let v = variants[Int(use.variant)]
                if v.patterns.count == 1 {
                    let start = h.endWord - patternWords[Int(h.pattern)] + 1
                    if start < h.endWord, !v.allowsComma, Self.crossesComma(commaWords, start, h.endWord) { continue }
                    occ.append(Occurrence(term: Int(v.term), start: start, end: h.endWord, unit: h.unit))
                } else {
                    pieceEnds[h.pattern, default: []].insert(h.endWord)
                    if Int(use.piece) == v.patterns.count - 1 { multi.append(h) }
                }
            }
        }
        for h in multi {
            for use in patternUses[Int(h.pattern)] where Int(use.piece) > 0 {
                let v = variants[Int(use.variant)]
                guard Int(use.piece) == v.patterns.count - 1 else { continue }
                // Walk back: piece k must end in the word just before piece k+1 starts.
                var start = h.endWord - v.pieceWords[Int(use.piece)] + 1
                var ok = true
                var k = Int(use.piece) - 1
                while k >= 0 {
                    let end = start - 1
                    guard pieceEnds[v.patterns[k]]?.contains(end) == true else { ok = false; break }
                    start = end - v.pieceWords[k] + 1
                    k -= 1
                }
                if ok, !v.allowsComma, Self.crossesComma(commaWords, start, h.endWord) { ok = false }
                if ok { occ.append(Occurrence(term: Int(v.term), start: start, end: h.endWord, unit: h.unit)) }
            }
        }
        // One occurrence per (term, start): several spellings may match the same words.
        occ.sort { ($0.start, $0.term, $1.end) < ($1.start, $1.term, $0.end) }
        var dedup: [Occurrence] = []
        dedup.reserveCapacity(occ.count)
        for o in occ {
            if let l = dedup.last, l.term == o.term, l.start == o.start { continue }
            dedup.append(o)
        }
        return dedup
    }

    func evaluate(hits: [Hit], summary: ScanSummary) -> Score {
        var occ = occurrences(from: hits, commaWords: summary.commaWords)
        var notes: [String] = []

        // Exclusions: drop every other match inside an exclusion match ("Moscow" in "Moscow, Idaho").
        let exclusions = occ.filter { groups[terms[$0.term].group].exclude }
        if !exclusions.isEmpty {
            var masked: [String: Int] = [:]
            occ.removeAll { o in
                let g = groups[terms[o.term].group]
                if g.exclude { return false }
                for e in exclusions where e.start <= o.start && o.end <= e.end {
                    masked[terms[e.term].name + "\u{0}" + terms[o.term].name, default: 0] += 1
                    return true
                }
                return false
            }
            for (k, n) in masked.sorted(by: { $0.key < $1.key }) {
                let parts = k.split(separator: "\u{0}", omittingEmptySubsequences: false)
                notes.append("excluded: '\(parts[1])' inside '\(parts[0])' (\(n)×)")
            }
        }

        // Which groups are present in each unit (title = unit 0, body sentences 1…).
        let unitCount = max(summary.units, 1)
        var unitMask = [UInt64](repeating: 0, count: unitCount)
        var overall: UInt64 = 0
        for o in occ {
            let p = groups[terms[o.term].group].presence
            unitMask[Int(o.unit)] |= p
            overall |= p
        }

        // Roundups: sentences that name many countries are lists, not relationship news.
        var isList = [Bool](repeating: false, count: unitCount)
        var roundupPenalty = 0.0
        if let r = roundup {
            var countries = [Set<Int>](repeating: [], count: unitCount)
            for o in occ where terms[o.term].group == r.countries { countries[Int(o.unit)].insert(o.term) }
            var listUnits = 0
            for u in 0..<unitCount {
                var n = countries[u].count
                for s in r.sides where unitMask[u] & s != 0 { n += 1 }
                if n >= r.minCountries {
                    isList[u] = true
                    listUnits += 1
                    notes.append("list: \(u == 0 ? "title" : "sentence \(u)") names \(n) countries")
                }
            }
            let counted = min(listUnits, r.maxSentences)
            if counted > 0 {
                roundupPenalty = Double(counted) * r.penalty
                notes.append("roundup penalty: -\(fmt(roundupPenalty))")
            }
        }

        // Term weights: each term counts at most max_count times (title first), only in
        // sentences satisfying the group's context, capped per group.
        var total = 0.0
        var perTerm = [Int: (count: Int, positions: [Int])]()
        var groupSum = [Double](repeating: 0, count: groups.count)
        var counted = [Int: Int]()
        let ordered = occ.sorted { ($0.unit == 0 ? 0 : 1, $0.start, $0.term) < ($1.unit == 0 ? 0 : 1, $1.start, $1.term) }
        for o in ordered {
            let gi = terms[o.term].group
            let g = groups[gi]
            var entry = perTerm[o.term] ?? (0, [])
            entry.count += 1
            entry.positions.append(Int(o.start))
            perTerm[o.term] = entry
            // A list sentence is noise: only penalties count there.
            if isList[Int(o.unit)] && g.weight > 0 { continue }
            if g.context != 0 {
                let u = Int(o.unit)
                if unitMask[u] & g.context != g.context || isList[u] { continue }
            }
            let c = counted[o.term, default: 0]
            guard c < g.maxCount else { continue }
            counted[o.term] = c + 1
            groupSum[gi] += g.weight * (o.unit == 0 ? scoring.titleWeight : 1)
        }
        for (gi, g) in groups.enumerated() where groupSum[gi] != 0 {
            var s = groupSum[gi]
            if let cap = g.maxTotal, abs(s) > cap {
                s = s < 0 ? -cap : cap
                notes.append("\(g.name): capped at \(fmt(cap))")
            }
            total += s
        }

        // Proximity: sentences (and the title) naming both sides, nearer is better,
        // earlier is better (position_decay).
        for p in proximity {
            var bonuses: [(Double, Int, Int32)] = []
            for u in 0..<unitCount where !isList[u] && unitMask[u] & p.a != 0 && unitMask[u] & p.b != 0 {
                var best = Int32.max
                let inUnit = occ.filter { Int($0.unit) == u }
                for x in inUnit where groups[terms[x.term].group].presence & p.a != 0 {
                    for y in inUnit where groups[terms[y.term].group].presence & p.b != 0 {
                        let d: Int32
                        if x.end < y.start { d = y.start - x.end }
                        else if y.end < x.start { d = x.start - y.end }
                        else { d = 0 }
                        best = min(best, d)
                    }
                }
                let w = unitWeight(u)
                var b = p.sameSentence
                if Int(best) <= p.words { b += p.near }
                bonuses.append((b * w, u, best))
            }
            bonuses.sort { ($0.0, -$0.1) > ($1.0, -$1.1) }
            for (b, u, d) in bonuses.prefix(p.maxSentences) {
                total += b
                notes.append("proximity \(p.name): \(u == 0 ? "title" : "sentence \(u)") +\(fmt(b))\(Int(d) <= p.words ? " (within \(d) words)" : "")")
            }
        }
        total -= roundupPenalty

        for r in requires where overall & r.mask != r.mask {
            let missing = zip(r.names, r.bits).filter { overall & $0.1 == 0 }.map(\.0)
            notes.append("required \(missing.joined(separator: ", ")) missing: score × \(fmt(r.factor))")
            total *= r.factor
        }

        var matches: [TermMatch] = []
        let order = perTerm.keys.sorted { a, b in
            let ga = terms[a].group, gb = terms[b].group
            if ga != gb { return ga < gb }
            let pa = perTerm[a]!.positions.min()!, pb = perTerm[b]!.positions.min()!
            return (pa, terms[a].name) < (pb, terms[b].name)
        }
        for t in order {
            let e = perTerm[t]!
            let g = groups[terms[t].group]
            matches.append(TermMatch(term: terms[t].name, group: g.name, weight: g.weight, count: e.count, positions: e.positions.sorted()))
        }
        let value = (total * 10000).rounded() / 10000
        return Score(value: value == 0 ? 0 : value, threshold: threshold, matches: matches, notes: notes)
    }

    /// Whether a word in (start, end] follows a comma-like separator.
    static func crossesComma(_ commas: [Int32], _ start: Int32, _ end: Int32) -> Bool {
        var lo = 0, hi = commas.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if commas[mid] <= start { lo = mid + 1 } else { hi = mid }
        }
        return lo < commas.count && commas[lo] <= end
    }

    func unitWeight(_ u: Int) -> Double {
        if u == 0 { return scoring.titleWeight }
        var w = 1.0
        for _ in 1..<u { w *= scoring.positionDecay; if w <= scoring.positionFloor { return scoring.positionFloor } }
        return max(w, scoring.positionFloor)
    }
}

func fmt(_ d: Double) -> String {
    let r = (d * 100).rounded() / 100
    if r == r.rounded() { return String(Int(r)) }
    return String(r)
}
