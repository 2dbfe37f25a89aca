import Foundation

/// A compact summary of one article for story grouping: what is needed to
/// decide later, without the text, whether another article reports the same
/// event. About 180 bytes encoded.
public struct StoryFingerprint: Sendable, Codable, Equatable {
    /// SimHash (Charikar 2002) of the article's word 3-shingles: near-equal
    /// for copies of one text with small edits (wire copies).
    public var simhash: UInt64
    /// Hashes of the salient tokens (at most `StoryGrouping.maxTokens`),
    /// sorted ascending, with their weights in `weights` (1…255, the largest
    /// scaled to 255; cosine similarity does not depend on the scale).
    public var tokens: [UInt32]
    public var weights: [UInt8]
    /// Publication time in whole seconds since 1970, nil when the feed gave none.
    public var published: Int64?

    public init(simhash: UInt64, tokens: [UInt32], weights: [UInt8], published: Int64?) {
        self.simhash = simhash
        self.tokens = tokens
        self.weights = weights
        self.published = published
    }

    static let formatVersion: UInt8 = 1

    /// Binary form for storage: version (1), simhash (8, little-endian),
    /// published (8, `Int64.min` for none), token count (1), then per token
    /// hash (4) and weight (1).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [StoryFingerprint.formatVersion]
        out.reserveCapacity(18 + tokens.count * 5)
        appendLE(simhash, to: &out)
        appendLE(UInt64(bitPattern: published ?? Int64.min), to: &out)
        out.append(UInt8(tokens.count))
        for (t, w) in zip(tokens, weights) {
            appendLE(UInt64(t), to: &out, bytes: 4)
            out.append(w)
        }
        return out
    }

    /// Decodes `encoded()`; nil for anything malformed (wrong version,
    /// truncated, unsorted tokens).
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 18, bytes[0] == StoryFingerprint.formatVersion else { return nil }
        let n = Int(bytes[17])
        guard n <= StoryGrouping.maxTokens, bytes.count == 18 + n * 5 else { return nil }
        simhash = readLE(bytes, at: 1, bytes: 8)
        let p = Int64(bitPattern: readLE(bytes, at: 9, bytes: 8))
        published = p == Int64.min ? nil : p
        tokens = []
        weights = []
        for k in 0..<n {
            let at = 18 + k * 5
            tokens.append(UInt32(readLE(bytes, at: at, bytes: 4)))
            weights.append(bytes[at + 4])
        }
        guard zip(tokens, tokens.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    }
}

private func appendLE(_ v: UInt64, to out: inout [UInt8], bytes: Int = 8) {
    for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) }
}

private func readLE(_ b: [UInt8], at: Int, bytes: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<bytes { v |= UInt64(b[at + i]) << (UInt64(i) * 8) }
    return v
}

/// Near-duplicate story grouping: do two articles, possibly from different
/// outlets, report the same event?
///
/// Method (two signals, either suffices, both only within a time window):
///
/// 1. **Wire copies** — the same text with small edits (byline, dateline,
///    reordered or trimmed paragraphs). SimHash over word 3-shingles
///    (Charikar 2002; Manku et al., WWW 2007 use it for web-scale near-dup
///    detection): copies differ in few bits, unrelated texts in ~32 of 64.
/// 2. **Separately written reports** — different wording, same event: same
///    people, places, numbers. A weighted cosine over the salient tokens of
///    title and text, in the spirit of GDELT's event clustering (cosine ≥ 0.3
///    over lead-paragraph nouns). Salience without a corpus: title words and
///    the lead weigh more, names (capitalized mid-sentence) weigh more,
///    function and newsroom words are dropped, term frequency is dampened
///    (square root) so one long article's repetition does not dominate.
///
/// The time window (`window`, ±3 days on published dates) is what separates
/// recurring events with the same cast (two Lavrov visits to Pyongyang, the
/// 2019 and 2023 Kim–Putin summits): their vocabulary overlaps a lot, their
/// dates do not. When either date is unknown the content alone decides
/// (callers should pass the fetch time when a feed gives no date, and the
/// store offers only recent stories as candidates anyway).
public enum StoryGrouping {
    /// Salient tokens kept per fingerprint.
    public static let maxTokens = 32
    /// Two articles are one story only if published at most this far apart.
    public static let window: TimeInterval = 3 * 86_400
    /// Cosine of salient tokens at or above which two articles are one story.
    public static let threshold = 0.30
    /// SimHash Hamming distance at or below which two texts are copies.
    public static let copyDistance = 8

    public static func fingerprint(title: String?, text: String, published: Date?) -> StoryFingerprint {
        // Bounded work for hostile input: the event is in the title and the
        // first paragraphs; a 10 MB "article" costs no more than its head.
        let titleTokens = Tokenizer.tokenize(String((title ?? "").unicodeScalars.prefix(maxTitleScalars)))
        let bodyTokens = Tokenizer.tokenize(String(text.unicodeScalars.prefix(maxTextScalars)))

        // SimHash over 3-shingles of the body (title included when there is
        // no body), stopwords kept: shingles capture wording.
        let shingleSource = bodyTokens.isEmpty ? titleTokens : bodyTokens
        let simhash = SimHash.of(shingles: shingleSource.map(\.text), size: 3)

        var weight: [String: Double] = [:]
        func add(_ t: Token, _ w: Double, caseIsMeaningful: Bool = true) {
            guard !t.isStopword else { return }
            var w = w
            if t.isName && caseIsMeaningful { w *= 2 }
            if topicTokens.contains(t.text) { w *= topicWeight }
            weight[t.text, default: 0] += w
        }
        // Title: names in titles are not detectable by case (one outlet
        // writes Title Case, another sentence case), so every title word
        // counts like a name in the lead.
        for t in titleTokens { add(t, 4, caseIsMeaningful: false) }
        // The lead carries the event (who, where, when); later paragraphs
        // drift into background that other stories share.
        var seen = 0
        for t in bodyTokens {
            add(t, seen < leadLength ? 2 : 1)
            if !t.isStopword { seen += 1 }
        }

        var scored = weight.map { (hash: tokenHash($0.key), w: $0.value.squareRoot()) }
        scored.sort { $0.w != $1.w ? $0.w > $1.w : $0.hash < $1.hash }
        if scored.count > maxTokens { scored.removeLast(scored.count - maxTokens) }
        // Merge the (rare) 32-bit hash collisions so tokens stay unique.
        var merged: [UInt32: Double] = [:]
        for s in scored { merged[s.hash, default: 0] += s.w }
        let maxW = merged.values.max() ?? 1
        let sorted = merged.keys.sorted()
        let quantized = sorted.map { UInt8(max(1, min(255, (merged[$0]! / maxW * 255).rounded()))) }

        let secs = published.flatMap { wholeSeconds($0) }
        return StoryFingerprint(simhash: simhash, tokens: sorted, weights: quantized, published: secs)
    }

    /// Words of feedwatch's own topic (North Korea–Russia relations, see
    /// Config/keywords.toml): every article that reaches story grouping
    /// contains some of them, so they say nothing about *which* event it
    /// reports, and without a corpus to compute document frequencies from,
    /// they would dominate the cosine of any two on-topic articles. They keep
    /// a small weight (`topicWeight`) rather than none, so two off-topic
    /// texts can still be compared. English, Russian and Korean spellings.
    public static let topicTerms: [String] = [
        "North Korea", "North Korean", "DPRK", "Pyongyang", "Kim Jong Un", "Russia", "Russian", "Moscow",
        "Kremlin", "Putin", "Vladimir", "Soviet",
        "Северная Корея", "Северной Кореи", "северокорейский", "КНДР", "Пхеньян", "Ким Чен Ын", "Россия",
        "российский", "Москва", "Кремль", "Путин", "Владимир",
        "북한", "북한의", "평양", "김정은", "러시아", "모스크바", "크렘린", "푸틴", "블라디미르",
    ]
    static let topicWeight = 0.25
    static let topicTokens: Set<String> = Set(topicTerms.flatMap { term in
        Tokenizer.tokenize(term).map(\.text)
    })

    /// Input read per article (Unicode scalars); longer input is cut.
    static let maxTitleScalars = 1_000
    static let maxTextScalars = 40_000

    /// Lead length in content tokens (≈ the first two sentences).
    static let leadLength = 40

    /// Similarity in 0…1, symmetric: the larger of the salient-token cosine
    /// and a score from the SimHash distance that equals `threshold` at
    /// `copyDistance` bits (so copies always pass). Ignores dates.
    public static func similarity(_ a: StoryFingerprint, _ b: StoryFingerprint) -> Double {
        let cos = cosine(a, b)
        let d = (a.simhash ^ b.simhash).nonzeroBitCount
        let copy = 1 - Double(d) * (1 - threshold) / Double(copyDistance)
        return max(cos, min(1, max(0, copy)))
    }

    /// Same event: published within `window` of each other and similar
    /// enough (see the type's comment).
    public static func sameStory(_ a: StoryFingerprint, _ b: StoryFingerprint) -> Bool {
        let s = similarity(a, b)
        guard let pa = a.published, let pb = b.published else { return s >= threshold }
        guard Double(abs(pa - pb)) <= window else { return false }
        return s >= threshold
    }

    /// The story among `candidates` that `f` belongs to, or nil for a new
    /// story. Pass one entry per known article of the recent stories (a story
    /// may appear several times): an article joins a story when it matches
    /// any of its articles, and the best-matching story wins (ties: the
    /// smaller story id, so the result does not depend on candidate order).
    public static func bestMatch(for f: StoryFingerprint,
                                 among candidates: [(storyID: String, fingerprint: StoryFingerprint)]) -> String? {
        var best: (id: String, s: Double)? = nil
        for c in candidates where sameStory(f, c.fingerprint) {
            let s = similarity(f, c.fingerprint)
            if let b = best, b.s > s || (b.s == s && b.id <= c.storyID) { continue }
            best = (c.storyID, s)
        }
        return best?.id
    }

    static func cosine(_ a: StoryFingerprint, _ b: StoryFingerprint) -> Double {
        var i = 0, j = 0
        var dot = 0.0
        while i < a.tokens.count && j < b.tokens.count {
            if a.tokens[i] == b.tokens[j] {
                dot += Double(a.weights[i]) * Double(b.weights[j]); i += 1; j += 1
            } else if a.tokens[i] < b.tokens[j] { i += 1 } else { j += 1 }
        }
        guard dot > 0 else { return 0 }
        let na = a.weights.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let nb = b.weights.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        return min(1, dot / (na * nb))
    }

    static func tokenHash(_ s: String) -> UInt32 {
        UInt32(truncatingIfNeeded: SimHash.mix(SimHash.fnv1a(s)))
    }
}

/// Whole seconds since 1970, nil for a non-finite or absurd date (years
/// beyond ±10⁷ cannot come from a real feed, and must not trap in `Int64()`).
func wholeSeconds(_ d: Date) -> Int64? {
    let t = d.timeIntervalSince1970.rounded(.down)
    guard t.isFinite, abs(t) < 3e14 else { return nil }
    return Int64(t)
}

enum SimHash {
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// splitmix64 finalizer: FNV-1a's high bits are poorly mixed for short
    /// inputs, and SimHash needs every bit to be a fair coin.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func of(shingles words: [String], size: Int) -> UInt64 {
        guard !words.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 64)
        let n = max(1, words.count - size + 1)
        let wordHashes = words.map(fnv1a)
        for i in 0..<n {
            var h: UInt64 = 0
            for k in i..<min(words.count, i + size) { h = mix(h ^ wordHashes[k]) }
            for bit in 0..<64 { counts[bit] += (h >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
        }
        var out: UInt64 = 0
        for bit in 0..<64 where counts[bit] > 0 { out |= 1 << UInt64(bit) }
        return out
    }
}
