/// One raw automaton hit: pattern `pattern` ended in word `endWord` of unit `unit`.
struct Hit: Sendable {
    var pattern: Int32
    var endWord: Int32
    var unit: Int32
}

/// Where the scan ended: how many words and units (title + body sentences) it saw.
struct ScanSummary: Sendable {
    var words: Int
    var units: Int
    /// Ascending indices of words preceded by a comma-like separator (, ; : 、 ،), a period
    /// or a sentence end: a phrase term does not match across one unless written with it
    /// ("Russia, North Korea, Iran" is a list, not "Russia-North Korea"; "…North Korea.
    /// Russia…" is two sentences).
    var commaWords: [Int32]
}

/// The single pass over a text: UTF-8 decoding, folding (FoldTable), word and sentence
/// segmentation and the automaton run together, without materializing the normalized
/// text. The stream fed to the automaton is the normalized text with one leading and one
/// trailing space, so a pattern `" russia "` only matches a whole word and `" росси"` a
/// word prefix: word boundaries (UAX #29 spirit, by Unicode general category rather than
/// ASCII `\b`, which fails on Cyrillic and Hangul) are part of the patterns themselves.
///
/// Units: unit 0 is the title (its punctuation never splits it); body sentences are
/// units 1, 2, … A sentence ends at ! ? 。 … and line breaks, and at a period followed by a
/// non-word character unless the period closes a single letter ("N. Korea", "U.S.") or a
/// common abbreviation ("Mr.", "St.", "No.").
enum Scanner {
    static func scan(title: String?, body: String, automaton: Automaton, hits: inout [Hit]) -> ScanSummary {
        if automaton.transitions32.isEmpty {
            return automaton.transitions16.withUnsafeBufferPointer { scan(title: title, body: body, automaton: automaton, trans: $0.baseAddress!, hits: &hits) }
        }
        return automaton.transitions32.withUnsafeBufferPointer { scan(title: title, body: body, automaton: automaton, trans: $0.baseAddress!, hits: &hits) }
    }

    static func scan<T: FixedWidthInteger>(title: String?, body: String, automaton: Automaton, trans: UnsafePointer<T>, hits: inout [Hit]) -> ScanSummary {
        var st = State()
        automaton.byteClass.withUnsafeBufferPointer { cls in
            let table = FoldTable.shared
            table.info.withUnsafeBufferPointer { info in
                table.offset.withUnsafeBufferPointer { offset in
                    table.bytes.withUnsafeBufferPointer { fbytes in
                        table.ascii.withUnsafeBufferPointer { ascii in
                            automaton.outputStart.withUnsafeBufferPointer { ostart in
                                automaton.outputs.withUnsafeBufferPointer { outs in
                                    let ctx = Context(trans: trans, cls: cls.baseAddress!, rowShift: Int32(automaton.rowShift),
                                                      firstOutput: automaton.firstOutputState, info: info.baseAddress!,
                                                      offset: offset.baseAddress!, fbytes: fbytes.baseAddress!,
                                                      outputStart: ostart.baseAddress!, outputs: outs.baseAddress!,
                                                      ascii: ascii.baseAddress!)
                                    st.feed(0x20, ctx, &hits)
                                    st.lastSpace = true
                                    if let title {
                                        st.inTitle = true
                                        run(title, &st, ctx, &hits)
                                        st.inTitle = false
                                    }
                                    st.separator(ctx, &hits)
                                    st.commaGap = true   // no phrase runs from the title into the body
                                    st.unit = 1
                                    st.pendingBreak = false
                                    st.justPeriod = false
                                    run(body, &st, ctx, &hits)
                                    st.separator(ctx, &hits)
                                }
                            }
                        }
                    }
                }
            }
        }
        return ScanSummary(words: Int(st.word) + 1, units: Int(st.unit) + 1, commaWords: st.commaWords)
    }

    private static func run<T>(_ text: String, _ st: inout State, _ ctx: Context<T>, _ hits: inout [Hit]) {
        var text = text
        text.withUTF8 { buf in
            st.process(buf, ctx, &hits)
        }
    }

    struct Context<T: FixedWidthInteger> {
        let trans: UnsafePointer<T>
        let cls: UnsafePointer<UInt8>
        let rowShift: Int32
        let firstOutput: Int32
        let info: UnsafePointer<UInt8>
        let offset: UnsafePointer<UInt32>
        let fbytes: UnsafePointer<UInt8>
        let outputStart: UnsafePointer<Int32>
        let outputs: UnsafePointer<Int32>
        /// Per ASCII byte: folded byte (0x00–0x7F) for word characters, 0x80 | kind otherwise.
        let ascii: UnsafePointer<UInt8>
    }

    /// Abbreviations after which a period does not end a sentence (ASCII, ≤ 4 letters, packed).
    static let abbreviations: Set<UInt32> = {
        let words = ["mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "jr", "sr", "gen", "col", "lt", "sgt", "gov",
                     "sen", "rep", "prof", "jan", "feb", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "inc",
                     "corp", "co", "ltd", "mt", "ft", "vol", "fig", "est", "dept", "adm", "capt", "maj", "cpt",
                     "pres", "amb", "rev", "hon", "cf", "al", "etc", "approx", "ca", "p", "pp"]
        var set = Set<UInt32>()
        for w in words where w.utf8.count <= 4 {
            var h: UInt32 = 0
            for b in w.utf8 { h = h << 8 | UInt32(b) }
            set.insert(h)
        }
        return set
    }()

    struct State {
        var state: Int32 = 0
        var word: Int32 = -1
        var unit: Int32 = 0
        var lastSpace = false
        var lastCJK = false
        var pendingBreak = false
        var justPeriod = false
        var periodBreaks = false
        var inTitle = false
        var wordLen = 0
        var wordHash: UInt32 = 0
        var commaGap = false
        var commaWords: [Int32] = []

        @inline(__always)
        mutating func feed<T>(_ b: UInt8, _ ctx: Context<T>, _ hits: inout [Hit]) {
            state = Int32(truncatingIfNeeded: ctx.trans[Int(state &<< ctx.rowShift &+ Int32(ctx.cls[Int(b)]))])
            if state >= ctx.firstOutput { report(ctx, &hits) }
        }

        @inline(never)
        mutating func report<T>(_ ctx: Context<T>, _ hits: inout [Hit]) {
            let i = Int(state - ctx.firstOutput)
            let lo = Int(ctx.outputStart[i]), hi = Int(ctx.outputStart[i + 1])
            for k in lo..<hi {
                hits.append(Hit(pattern: ctx.outputs[k], endWord: word, unit: unit))
            }
        }

        @inline(__always)
        mutating func separator<T>(_ ctx: Context<T>, _ hits: inout [Hit]) {
            if justPeriod {
                justPeriod = false
                if periodBreaks { pendingBreak = true }
            }
            if !lastSpace {
                feed(0x20, ctx, &hits)
                lastSpace = true
            }
            lastCJK = false
        }

        @inline(__always)
        mutating func wordStart() {
            word &+= 1
            if commaGap {
                commaWords.append(word)
                commaGap = false
            }
            if pendingBreak {
                if !inTitle { unit &+= 1 }
                pendingBreak = false
            }
            wordLen = 0
            wordHash = 0
        }

        mutating func process<T>(_ buf: UnsafeBufferPointer<UInt8>, _ ctx: Context<T>, _ hits: inout [Hit]) {
            guard let base = buf.baseAddress else { return }
            let n = buf.count
            var i = 0
            while i < n {
                // Tight loop for the common case, ASCII letters, digits and plain spaces:
                // the automaton state and the current word in locals, one table step per
                // byte. Everything else (punctuation, non-ASCII) takes the general path below.
                if !lastCJK {
                    var s = state
                    var len = wordLen
                    var h = wordHash
                    var space = lastSpace
                    let spaceClass = Int32(ctx.cls[0x20])
                    while i < n {
                        let b = base[i]
                        if b >= 0x80 { break }
                        let f = ctx.ascii[Int(b)]
                        if f < 0x80 {
                            if space {
                                if justPeriod { justPeriod = false }
                                wordLen = 0
                                wordStart()
                                len = 0
                                h = 0
                                space = false
                            }
                            s = Int32(truncatingIfNeeded: ctx.trans[Int(s &<< ctx.rowShift &+ Int32(ctx.cls[Int(f)]))])
                            if len < 4 { h = h << 8 | UInt32(f) }
                            len &+= 1
                        } else if b == 0x20 {
                            if justPeriod {
                                justPeriod = false
                                if periodBreaks { pendingBreak = true }
                            }
                            if space { i &+= 1; continue }
                            s = Int32(truncatingIfNeeded: ctx.trans[Int(s &<< ctx.rowShift &+ spaceClass)])
                            space = true
                        } else {
                            break
                        }
                        i &+= 1
                        if s >= ctx.firstOutput {
                            state = s
                            report(ctx, &hits)
                        }
                    }
                    state = s
                    wordLen = len
                    wordHash = h
                    lastSpace = space
                    if i >= n { break }
                }
                let b0 = base[i]
                var v: UInt32
                if b0 < 0x80 {
                    // Fast path: ASCII letters and digits (most of any Latin-script text).
                    let f = ctx.ascii[Int(b0)]
                    i += 1
                    if f < 0x80 {
                        justPeriod = false
                        if lastSpace || lastCJK {
                            if lastCJK { feed(0x20, ctx, &hits) }
                            wordStart()
                        }
                        feed(f, ctx, &hits)
                        if wordLen < 4 { wordHash = wordHash << 8 | UInt32(f) }
                        wordLen += 1
                        lastSpace = false
                        lastCJK = false
                        continue
                    }
                    v = UInt32(b0)
                } else if b0 < 0xE0 {
                    guard b0 >= 0xC2, i + 1 < n else { i += 1; v = 0xFFFD; handle(v, ctx, &hits); continue }
                    v = UInt32(b0 & 0x1F) << 6 | UInt32(base[i + 1] & 0x3F)
                    i += 2
                } else if b0 < 0xF0 {
                    guard i + 2 < n else { i = n; continue }
                    v = UInt32(b0 & 0x0F) << 12 | UInt32(base[i + 1] & 0x3F) << 6 | UInt32(base[i + 2] & 0x3F)
                    i += 3
                } else {
                    guard i + 3 < n else { i = n; continue }
                    v = UInt32(b0 & 0x07) << 18 | UInt32(base[i + 1] & 0x3F) << 12 | UInt32(base[i + 2] & 0x3F) << 6 | UInt32(base[i + 3] & 0x3F)
                    i += 4
                }
                handle(v, ctx, &hits)
            }
        }

        @inline(__always)
        mutating func handle<T>(_ v: UInt32, _ ctx: Context<T>, _ hits: inout [Hit]) {
            let kind: UInt8
            var lo = 0, count = 0
            var slow: ArraySlice<UInt8> = []
            if v < 0x10000 {
                let inf = ctx.info[Int(v)]
                kind = inf >> 5
                count = Int(inf & 31)
                lo = Int(ctx.offset[Int(v)])
            } else {
                let (k, bytes) = FoldTable.shared.lookup(v)
                kind = k.rawValue
                slow = bytes
            }
            switch kind {
            case 0: // word
                if justPeriod { justPeriod = false }   // "U.S", "3.5", "kcna.kp": not a sentence end
                if lastSpace || lastCJK {
                    if lastCJK { feed(0x20, ctx, &hits) }
                    wordStart()
                }
                if v < 0x10000 {
                    for k in 0..<count { feed(ctx.fbytes[lo + k], ctx, &hits) }
                    if wordLen < 4 && count == 1 { wordHash = wordHash << 8 | UInt32(ctx.fbytes[lo]) }
                } else {
                    for b in slow { feed(b, ctx, &hits) }
                }
                wordLen += 1
                lastSpace = false
                lastCJK = false
            case 5: // CJK: every character is a word
                if justPeriod { justPeriod = false }
                if !lastSpace && !lastCJK { feed(0x20, ctx, &hits) }
                wordStart()
                if v < 0x10000 {
                    for k in 0..<count { feed(ctx.fbytes[lo + k], ctx, &hits) }
                } else {
                    for b in slow { feed(b, ctx, &hits) }
                }
                lastSpace = false
                lastCJK = true
            case 1: // separator
                if v == 0x2C || v == 0x3B || v == 0x3A || v == 0x060C || v == 0x061B || v == 0x3001 || v == 0xFF0C || v == 0xFF1B || v == 0xFF1A {
                    commaGap = true
                }
                separator(ctx, &hits)
            case 2: // sentence end
                commaGap = true
                separator(ctx, &hits)
                pendingBreak = true
            case 3: // period
                commaGap = true
                let breaks = wordLen >= 2 && !(wordLen <= 4 && Scanner.abbreviations.contains(wordHash))
                separator(ctx, &hits)
                justPeriod = true
                periodBreaks = breaks
            default: // ignore
                break
            }
        }
    }
}
