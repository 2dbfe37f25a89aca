/// Turns one spelling as an analyst writes it into automaton patterns.
///
/// Term syntax (documented for analysts in keywords.toml):
/// - Words are compared after the same folding as the text (case, diacritics, NFKC,
///   punctuation and dashes → word break), so `N. Korea` = `n korea`, `Moscou` ≠ `Moscow`.
/// - A hyphen means "space or nothing": `Ri Yong-ho` matches Ri Yong-ho, Ri Yong Ho and Ri Yongho.
/// - `*` at the end of a word matches any ending (`росси*` → России, Россией, российский),
///   also inside phrases (`северн* коре*` → Северной Кореи, Северную Корею).
/// - `*` before the first word drops the start boundary (`*koreaner` in German compounds).
/// - Words ending in Hangul match with any ending (Korean particles: 러시아와, 북한은),
///   terms in Han/kana or Arabic script match without word boundaries (no spaces in
///   Chinese/Japanese; Arabic clitics such as و and ال attach to words).
struct CompiledVariant: Sendable {
    /// Pattern bytes per piece (pieces are split after an inner `*` word).
    var pieces: [[UInt8]]
    /// Words per piece, as the scanner counts them.
    var pieceWords: [Int]
    /// The spelling contains a comma-like separator or a period, so the match may span one.
    var allowsComma: Bool
}

enum TermCompiler {
    static let maxVariants = 32

    static func isHangul(_ v: UInt32) -> Bool {
        (0xAC00...0xD7A3).contains(v) || (0x1100...0x11FF).contains(v) || (0x3130...0x318F).contains(v)
    }
    static func isArabic(_ v: UInt32) -> Bool {
        (0x0600...0x06FF).contains(v) || (0x0750...0x077F).contains(v) || (0x08A0...0x08FF).contains(v)
    }
    static func unbounded(_ v: UInt32) -> Bool { FoldTable.isCJK(v) || isArabic(v) }

    /// Compiles one spelling; nil (with a reason) when it folds to nothing.
    static func compile(_ spelling: String) -> Result<[CompiledVariant], TermError> {
        let rawTokens = spelling.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" }).map(String.init)
        guard !rawTokens.isEmpty else { return .failure(.empty) }
        var noStart = false
        // Alternatives per token: (normalized words, prefix flag on last word).
        var alternatives: [[[String]]] = []
        var prefixes: [Bool] = []
        for (i, var tok) in rawTokens.enumerated() {
            if i == 0, tok.hasPrefix("*") { noStart = true; tok.removeFirst() }
            var prefix = false
            while tok.hasSuffix("*") { prefix = true; tok.removeLast() }
            if tok.contains("*") { return .failure(.innerStar) }
            let parts = tok.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "\u{2010}" || $0 == "\u{2011}" }).map(String.init)
            var alts: [String] = [parts[0]]
            for p in parts.dropFirst() {
                var next: [String] = []
                for a in alts {
                    next.append(a + " " + p)
                    next.append(a + p)
                }
                alts = next
                if alts.count > maxVariants { return .failure(.tooManyVariants) }
            }
            var norm: [[String]] = []
            for a in alts {
                let words = Normalizer.normalize(a).split(separator: " ").map(String.init)
                if !words.isEmpty, !norm.contains(words) { norm.append(words) }
            }
            if norm.isEmpty { continue }   // a token of pure punctuation ("&", "–")
            alternatives.append(norm)
            prefixes.append(prefix)
        }
        guard !alternatives.isEmpty else { return .failure(.empty) }
        // Cartesian product of the token alternatives.
        var combos: [[([String], Bool)]] = [[]]
        for (alts, prefix) in zip(alternatives, prefixes) {
            var next: [[([String], Bool)]] = []
            for c in combos { for a in alts { next.append(c + [(a, prefix)]) } }
            combos = next
            if combos.count > maxVariants { return .failure(.tooManyVariants) }
        }
        var out: [CompiledVariant] = []
        var seen = Set<[[UInt8]]>()
        for combo in combos {
            // Flatten to words with a prefix flag per word.
            var words: [(String, Bool)] = []
            for (ws, prefix) in combo {
                for (j, w) in ws.enumerated() { words.append((w, prefix && j == ws.count - 1)) }
            }
            var pieces: [[UInt8]] = []
            var cur: [UInt8] = []
            var startNew = true
            for (j, (w, explicitPrefix)) in words.enumerated() {
                let first = w.unicodeScalars.first!.value
                let last = w.unicodeScalars.last!.value
                if startNew {
                    if !(j == 0 && noStart) && !unbounded(first) { cur.append(0x20) }
                    startNew = false
                } else {
                    cur.append(0x20)
                }
                cur.append(contentsOf: w.utf8)
                let prefix = explicitPrefix || isHangul(last) || unbounded(last)
                if j == words.count - 1 {
                    if !prefix { cur.append(0x20) }
                    pieces.append(cur)
                } else if explicitPrefix {
                    pieces.append(cur)
                    cur = []
                    startNew = true
                }
            }
            if seen.insert(pieces).inserted {
                out.append(CompiledVariant(pieces: pieces, pieceWords: pieces.map(wordCount),
                                           allowsComma: spelling.contains(where: { ",;:.、،".contains($0) })))
            }
        }
        return .success(out)
    }

    /// Words in a pattern, counted as the scanner counts them (CJK characters are words).
    static func wordCount(_ bytes: [UInt8]) -> Int {
        var n = 0
        var lastSpace = true
        for s in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if s == " " { lastSpace = true; continue }
            if FoldTable.isCJK(s.value) { n += 1; lastSpace = true; continue }
            if lastSpace { n += 1 }
            lastSpace = false
        }
        return n
    }

    enum TermError: Error, Equatable {
        case empty, innerStar, tooManyVariants

        var message: String {
            switch self {
            case .empty: return "has no letters or digits"
            case .innerStar: return "'*' may only end a word (or start the first word)"
            case .tooManyVariants: return "has too many hyphen variants (at most \(TermCompiler.maxVariants))"
            }
        }
    }
}
