import Foundation

/// A word of an article after normalization, with what the fingerprint needs
/// to weigh it.
struct Token: Equatable {
    var text: String
    /// Capitalized in mid-sentence in a script that has case: a proper name
    /// (person, place, organisation), the strongest sign of *which* event.
    var isName: Bool
    var isNumber: Bool
    /// True for function words ("the", "и", …): kept for the SimHash shingles
    /// (they carry the wording) but not for the salient-token vector.
    var isStopword: Bool
}

/// Unicode-aware tokenizer for the languages feedwatch watches (English,
/// Russian, Korean first; any script works to a degree).
///
/// - Words are runs of letters, digits and combining marks (Unicode general
///   categories L*, M*, N*); apostrophes inside words are dropped with an
///   English possessive `'s`; hyphens split (`Ri Yong-ho` = `Ri Yong Ho`).
/// - Digits grouped with `,`/`.` are one number (`3,000` → `3000`).
/// - Latin: diacritics folded, case folded, a light English plural strip
///   (`talks` → `talk`, `ministries` → `ministry`).
/// - Cyrillic: `ё` → `е`, one final vowel, `ь` or `й` dropped, then
///   truncated to 5 letters — truncation is a crude but well-tested stemmer
///   for Russian's rich inflection (Лавров, Лаврова, Лаврову → `лавро`;
///   Москва, Москве → `москв`; Корея, Кореи → `коре`) and needs no dictionary.
/// - Hangul, Han and Kana: character bigrams. Korean attaches particles to
///   words (푸틴과, 김정은은) and Chinese/Japanese use no spaces, so
///   overlapping bigrams are the standard dictionary-free unit (as in CJK
///   search engines).
enum Tokenizer {
    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(text.utf8.count / 5)
        var word: [Unicode.Scalar] = []
        var wordHasDigitOnly = true
        var sentenceStart = true
        var pendingSentenceStart = true

        func flush() {
            guard !word.isEmpty else { return }
            emit(word, digitsOnly: wordHasDigitOnly, sentenceInitial: pendingSentenceStart, into: &tokens)
            word.removeAll(keepingCapacity: true)
            wordHasDigitOnly = true
            pendingSentenceStart = false
        }

        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            let kind = classify(s)
            if kind != .none {
                if word.isEmpty { pendingSentenceStart = sentenceStart; sentenceStart = false }
                word.append(s)
                if kind != .digit { wordHasDigitOnly = false }
            } else if (s == "," || s == ".") && !word.isEmpty && wordHasDigitOnly
                        && i + 1 < scalars.count && classify(scalars[i + 1]) == .digit {
                // thousands / decimal separator inside a number: skip it
            } else if (s == "'" || s == "\u{2019}") && !word.isEmpty && i + 1 < scalars.count
                        && classify(scalars[i + 1]) == .letter {
                // English possessive: drop "'s"; other inner apostrophes join (O'Neill → oneill)
                if (scalars[i + 1] == "s" || scalars[i + 1] == "S")
                    && (i + 2 >= scalars.count || classify(scalars[i + 2]) != .letter) {
                    i += 1
                }
            } else {
                flush()
                if s == "." || s == "!" || s == "?" || s == "\n" || s == "\u{3002}" || s == "\u{061F}" {
                    sentenceStart = true
                }
            }
            i += 1
        }
        flush()
        return tokens
    }

    enum CharKind { case none, letter, digit, mark }

    /// Word-character class; ASCII answered without Unicode property tables
    /// (the lookups dominated the profile).
    @inline(__always) static func classify(_ s: Unicode.Scalar) -> CharKind {
        let v = s.value
        if v < 0x80 {
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) { return .letter }
            if v >= 0x30 && v <= 0x39 { return .digit }
            return .none
        }
        let p = s.properties
        if p.isAlphabetic { return .letter }
        if p.numericType != nil { return .digit }
        if isMark(p.generalCategory) { return .mark }
        return .none
    }

    private static func isMark(_ c: Unicode.GeneralCategory) -> Bool {
        c == .nonspacingMark || c == .spacingMark || c == .enclosingMark
    }

    private enum Script { case latin, cyrillic, cjk, other }

    private static func script(of s: Unicode.Scalar) -> Script {
        switch s.value {
        case 0x0041...0x024F, 0x1E00...0x1EFF: return .latin
        case 0x0400...0x052F: return .cyrillic
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,   // Hangul
             0x3040...0x30FF,                                     // Kana
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF:   // Han
            return .cjk
        default: return .other
        }
    }

    private static func emit(_ word: [Unicode.Scalar], digitsOnly: Bool, sentenceInitial: Bool,
                             into tokens: inout [Token]) {
        if digitsOnly {
            // Normalize digits of any script to ASCII (Unicode Nd values).
            var s = ""
            for c in word {
                if c.value >= 0x30 && c.value <= 0x39 {
                    s.unicodeScalars.append(c)
                } else if let v = c.properties.numericValue, v >= 0, v < 10, v == v.rounded() {
                    s.append(Character(Unicode.Scalar(UInt8(48 + Int(v)))))
                }
            }
            if !s.isEmpty { tokens.append(Token(text: s, isName: false, isNumber: true, isStopword: false)) }
            return
        }
        // Split the word into runs of one script (e.g. "KN-23" already split;
        // "Su35" stays one Latin run, digits ride along with the run).
        var runStart = 0
        var current: Script? = nil
        for (k, c) in word.enumerated() {
            let kind = classify(c)
            let sc = kind == .digit || kind == .mark ? current ?? .other : script(of: c)
            if current == nil { current = sc }
            if sc != current {
                emitRun(word[runStart..<k], script: current!, sentenceInitial: sentenceInitial && runStart == 0, into: &tokens)
                runStart = k
                current = sc
            }
        }
        emitRun(word[runStart...], script: current ?? .other, sentenceInitial: sentenceInitial && runStart == 0, into: &tokens)
    }

    private static func emitRun(_ run: ArraySlice<Unicode.Scalar>, script: Script, sentenceInitial: Bool,
                                into tokens: inout [Token]) {
        guard let first = run.first else { return }
        let capitalized = first.value < 0x80 ? (first.value >= 0x41 && first.value <= 0x5A) : first.properties.isUppercase
        if script == .latin || script == .other, run.allSatisfy({ $0.value < 0x80 }) {
            // Fast path (most tokens): ASCII, lower-cased byte-wise.
            var bytes = [UInt8](repeating: 0, count: run.count)
            for (k, c) in run.enumerated() {
                let v = UInt8(truncatingIfNeeded: c.value)
                bytes[k] = v >= 0x41 && v <= 0x5A ? v + 0x20 : v
            }
            let lower = String(decoding: bytes, as: UTF8.self)
            let stop = bytes.count < 2 || Stopwords.english.contains(lower)
            tokens.append(Token(text: stop ? lower : englishStem(lower), isName: capitalized && !sentenceInitial && !stop,
                                isNumber: false, isStopword: stop))
            return
        }
        var raw = ""
        raw.unicodeScalars.append(contentsOf: run)
        switch script {
        case .cjk:
            let chars = Array(raw.lowercased())
            if chars.count == 1 {
                tokens.append(Token(text: String(chars), isName: false, isNumber: false, isStopword: true))
            } else {
                for k in 0..<(chars.count - 1) {
                    tokens.append(Token(text: String(chars[k...k + 1]), isName: false, isNumber: false, isStopword: false))
                }
            }
        case .latin:
            raw = raw.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            let stop = Stopwords.english.contains(raw) || raw.count < 2
            let stem = stop ? raw : englishStem(raw)
            tokens.append(Token(text: stem, isName: capitalized && !sentenceInitial && !stop,
                                isNumber: false, isStopword: stop))
        case .cyrillic:
            let lower = raw.lowercased().replacingOccurrences(of: "ё", with: "е")
            let stop = Stopwords.russian.contains(lower) || lower.count < 2
            tokens.append(Token(text: russianStem(lower), isName: capitalized && !sentenceInitial && !stop,
                                isNumber: false, isStopword: stop))
        case .other:
            let lower = raw.lowercased()
            tokens.append(Token(text: lower, isName: capitalized && !sentenceInitial,
                                isNumber: false, isStopword: lower.count < 2))
        }
    }

    static func russianStem(_ w: String) -> String {
        var scalars = Array(w.unicodeScalars)
        if scalars.count > 3, let last = scalars.last, "аяоеыиуюьй".unicodeScalars.contains(last) {
            scalars.removeLast()
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars.prefix(5))
        return out
    }

    /// A light English stemmer in the spirit of Porter's step 1 (plural
    /// "-s"/"-ies", "-ed", "-ing"), enough for two reports' "talks"/"talk",
    /// "bans"/"ban", "signed"/"signing" to meet. A stem keeps at least four
    /// letters, so short words and most names pass unchanged; names that do
    /// get cut ("Beijing" → "beij") are cut the same way everywhere.
    /// Expects lower-case ASCII or folded Latin.
    static func englishStem(_ w: String) -> String {
        var u = Array(w.utf8)
        let n = u.count
        if n > 4 && w.hasSuffix("ies") { return String(decoding: u.dropLast(3), as: UTF8.self) + "y" }
        if n >= 4 && u[n - 1] == 0x73 && u[n - 2] != 0x73 && u[n - 2] != 0x75 && u[n - 2] != 0x69 {
            u.removeLast()                                    // -s (not -ss, -us, -is)
        } else if n >= 7 && w.hasSuffix("ing") {
            u.removeLast(3)
        } else if n >= 6 && w.hasSuffix("ed") && u[n - 3] != 0x65 {
            u.removeLast(2)
        } else {
            return w
        }
        // stopp → stop, plann → plan (doubled final consonant after the cut)
        let m = u.count
        if m >= 4, u[m - 1] == u[m - 2], !"aeiouylsz".utf8.contains(u[m - 1]), n != m + 1 {
            u.removeLast()
        }
        return String(decoding: u, as: UTF8.self)
    }
}

/// Function words and the vocabulary of every news report ("said",
/// "officials", "week"), which say nothing about which event a text is about.
enum Stopwords {
    static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "ago", "all", "also", "am", "among", "an", "and",
        "another", "any", "are", "around", "as", "at", "be", "because", "been", "before", "being", "below",
        "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
        "earlier", "either", "even", "ever", "every", "few", "first", "for", "from", "further", "had", "has",
        "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
        "i", "if", "in", "including", "into", "is", "it", "its", "itself", "just", "last", "later", "least",
        "less", "like", "made", "make", "many", "may", "me", "might", "more", "most", "much", "must", "my",
        "new", "next", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other",
        "our", "ours", "out", "over", "own", "per", "rather", "said", "same", "say", "saying", "says", "second",
        "see", "seen", "several", "she", "should", "since", "so", "some", "still", "such", "than", "that",
        "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
        "though", "three", "through", "to", "told", "too", "two", "under", "until", "up", "upon", "us", "very",
        "via", "was", "we", "week", "weeks", "were", "what", "when", "where", "whether", "which", "while",
        "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "year", "years", "yet",
        "you", "your", "yours", "according", "added", "already", "although", "amid", "away", "became",
        "become", "came", "come", "day", "days", "get", "got", "go", "going", "gone", "know", "known", "let",
        "long", "month", "months", "mr", "mrs", "ms", "near", "news", "often", "part", "people", "report",
        "reported", "reports", "reuters", "ap", "afp", "time", "today", "tuesday", "monday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "yesterday", "tomorrow", "well", "across", "back",
        "take", "taken", "took", "way", "set", "put", "called", "told", "asked", "show", "shows", "showed",
    ]

    static let russian: Set<String> = [
        "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его",
        "но", "да", "ты", "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было", "вот", "от",
        "меня", "еще", "нет", "о", "из", "ему", "теперь", "когда", "даже", "ну", "ли", "если", "уже", "или",
        "ни", "быть", "был", "него", "до", "вас", "нибудь", "опять", "уж", "вам", "ведь", "там", "потом",
        "себя", "ничего", "ей", "может", "они", "тут", "где", "есть", "надо", "ней", "для", "мы", "тебя", "их",
        "чем", "была", "сам", "чтоб", "без", "будто", "чего", "раз", "тоже", "себе", "под", "будет", "ж",
        "тогда", "кто", "этот", "того", "потому", "этого", "какой", "совсем", "ним", "здесь", "этом", "один",
        "почти", "мой", "тем", "чтобы", "нее", "сейчас", "были", "куда", "зачем", "всех", "никогда", "можно",
        "при", "наконец", "два", "об", "другой", "хоть", "после", "над", "больше", "тот", "через", "эти",
        "нас", "про", "всего", "них", "какая", "много", "разве", "три", "эту", "моя", "впрочем", "хорошо",
        "свою", "этой", "перед", "иногда", "лучше", "чуть", "том", "нельзя", "такой", "им", "более", "всегда",
        "конечно", "всю", "между", "это", "также", "заявил", "сообщил", "сказал", "года", "году", "который",
        "которые", "которая", "которого", "время",
    ]
}
