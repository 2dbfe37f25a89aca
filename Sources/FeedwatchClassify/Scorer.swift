#if canImport(Glibc)
import Glibc
#endif
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

    /// Markup or character references present: a tag start (`<p`, `</`, `<!`) or an
    /// entity (`&amp;`, `&#8217;`). "AT&T" and "a < b" are plain text.
    static func looksLikeHTML(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { buf -> Bool in
            let n = buf.count
            // Plain text (the pipeline's converted bodies) has neither byte:
            // two vectorized memchr scans answer at once.
            guard let base = buf.baseAddress,
                  memchr(base, 0x3C, n) != nil || memchr(base, 0x26, n) != nil else { return false }
            var i = 0
            while i < n {
                let b = buf[i]
                if b == 0x3C, i + 1 < n {
                    let c = buf[i + 1] | 0x20
                    if (c >= 0x61 && c <= 0x7A) || buf[i + 1] == 0x2F || buf[i + 1] == 0x21 { return true }
                } else if b == 0x26 {
                    var j = i + 1
                    if j < n, buf[j] == 0x23 { j += 1 }
                    let start = j
                    while j < n, j - start < 32, (buf[j] | 0x20) >= 0x61 && (buf[j] | 0x20) <= 0x7A || (buf[j] >= 0x30 && buf[j] <= 0x39) { j += 1 }
                    if j > start, j < n, buf[j] == 0x3B { return true }
                }
                i += 1
            }
            return false
        }
    }

    func occurrences(from hits: [Hit], commaWords: [Int32]) -> [Occurrence] {
        var occ: [Occurrence] = []
        occ.reserveCapacity(hits.count)
        // Ends of pieces that belong to multi-piece variants, for the adjacency check.
        var pieceEnds: [Int32: Set<Int32>] = [:]
        var multi: [Hit] = []
        for h in hits {
            let p = Int(h.pattern)
            for k in Int(useStart[p])..<Int(useStart[p + 1]) {
                let vi = Int(useVariant[k])
                let pieces = variantPieces[vi]
                if pieces == 1 {
                    let start = h.endWord - patternWords[p] + 1
                    if start < h.endWord, !variantComma[vi], Self.crossesComma(commaWords, start, h.endWord) { continue }
                    occ.append(Occurrence(term: Int(variantTerm[vi]), start: start, end: h.endWord, unit: h.unit))
                } else {
                    pieceEnds[h.pattern, default: []].insert(h.endWord)
                    if usePiece[k] == pieces - 1 { multi.append(h) }
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
        // Local copies of the tables the closures below read: a closure that
        // reads `self.terms` captures all of `self`, and the sort copied the
        // whole rule set (~20 retains) per comparison — 3% of a cold pass.
        let terms = self.terms, groups = self.groups
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

        // Longest match wins: a match inside a longer match of another term ("Kim" in
        // "Kim Jong Un", "North Korea" in "Russia-North Korea") is not counted again.
        if occ.count > 1 {
            occ.sort { ($0.start, $1.end) < ($1.start, $0.end) }
            var kept: [Occurrence] = []
            kept.reserveCapacity(occ.count)
            var best: (start: Int32, end: Int32)? = nil
            for o in occ {
                if let b = best, b.end >= o.end, b.end - b.start > o.end - o.start { continue }
                kept.append(o)
                if best == nil || o.end > best!.end { best = (o.start, o.end) }
            }
            occ = kept
        }

        // `occ` is sorted by word position, so each unit's occurrences are one contiguous
        // run (the title's words come first): unitRange[u] = lo..<hi into occ.
        let unitCount = max(summary.units, 1)
        var unitMask = [UInt64](repeating: 0, count: unitCount)
        var unitLo = [Int32](repeating: 0, count: unitCount)
        var unitHi = [Int32](repeating: 0, count: unitCount)
        var overall: UInt64 = 0
        for (i, o) in occ.enumerated() {
            let u = Int(o.unit)
            let p = groups[terms[o.term].group].presence
            if unitHi[u] == 0 { unitLo[u] = Int32(i) }
            unitHi[u] = Int32(i + 1)
            unitMask[u] |= p
            overall |= p
        }

        // Roundups: sentences that name many countries are lists, not relationship news.
        var isList = [Bool](repeating: false, count: unitCount)
        var roundupPenalty = 0.0
        if let r = roundup {
            var listUnits = 0
            for u in 0..<unitCount where unitHi[u] > unitLo[u] {
                var seen: [Int] = []
                for i in Int(unitLo[u])..<Int(unitHi[u]) where Int(occ[i].unit) == u && terms[occ[i].term].group == r.countries && !seen.contains(occ[i].term) {
                    seen.append(occ[i].term)
                }
                var n = seen.count
                for side in r.sides where unitMask[u] & side != 0 { n += 1 }
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
        var groupSum = [Double](repeating: 0, count: groups.count)
        var counted = [UInt16](repeating: 0, count: terms.count)
        for o in occ {
            let gi = terms[o.term].group
            let g = groups[gi]
            let u = Int(o.unit)
            // A list sentence is noise: only penalties count there.
            if isList[u] && g.weight > 0 { continue }
            if g.context != 0, unitMask[u] & g.context != g.context { continue }
            guard Int(counted[o.term]) < g.maxCount else { continue }
            counted[o.term] += 1
            groupSum[gi] += g.weight * (u == 0 ? scoring.titleWeight : 1)
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
                let lo = Int(unitLo[u]), hi = Int(unitHi[u])
                for i in lo..<hi where Int(occ[i].unit) == u && groups[terms[occ[i].term].group].presence & p.a != 0 {
                    let x = occ[i]
                    for j in lo..<hi where Int(occ[j].unit) == u && groups[terms[occ[j].term].group].presence & p.b != 0 {
                        let y = occ[j]
                        let d: Int32
                        if x.end < y.start { d = y.start - x.end }
                        else if y.end < x.start { d = x.start - y.end }
                        else { d = 0 }
                        best = min(best, d)
                    }
                }
                var b = p.sameSentence
                if Int(best) <= p.words { b += p.near }
                bonuses.append((b * unitWeight(u), u, best))
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

        // Explanation: one TermMatch per term, in config group order, then first position.
        // Counting sort by term keeps each term's occurrences in position order.
        var bucket = [Int32](repeating: 0, count: terms.count + 1)
        for o in occ { bucket[o.term + 1] += 1 }
        for t in 0..<terms.count { bucket[t + 1] += bucket[t] }
        var order = [Int](repeating: 0, count: occ.count)
        for (i, o) in occ.enumerated() {
            order[Int(bucket[o.term])] = i
            bucket[o.term] += 1
        }
        var runs: [(term: Int, first: Int32, lo: Int, hi: Int)] = []
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count, occ[order[j]].term == occ[order[i]].term { j += 1 }
            runs.append((occ[order[i]].term, occ[order[i]].start, i, j))
            i = j
        }
        runs.sort { a, b in
            let ga = terms[a.term].group, gb = terms[b.term].group
            if ga != gb { return ga < gb }
            if a.first != b.first { return a.first < b.first }
            return terms[a.term].name < terms[b.term].name
        }
        var matches: [TermMatch] = []
        matches.reserveCapacity(runs.count)
        for r in runs {
            let g = groups[terms[r.term].group]
            matches.append(TermMatch(term: terms[r.term].name, group: g.name, weight: g.weight, count: r.hi - r.lo,
                                     positions: order[r.lo..<r.hi].map { Int(occ[$0].start) }))
        }
        let value = (total * 100).rounded() / 100
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
