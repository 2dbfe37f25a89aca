import Foundation

/// What a scalar is to the scanner once folded.
enum ScalarKind: UInt8 {
    /// Part of a word (letters, digits, marks of scripts written with spaces).
    case word = 0
    /// A separator: spaces, punctuation, symbols, dashes, quotes. Runs collapse to one word break.
    case separator = 1
    /// Ends a sentence (! ? 。 newline …).
    case sentenceEnd = 2
    /// `.` — ends a sentence unless it belongs to an abbreviation or a number (see Scanner).
    case period = 3
    /// Dropped without a word break: soft hyphen, joiners, BOM, variation selectors and the
    /// combining diacritics stripped from Latin, Greek, Cyrillic and Arabic.
    case ignore = 4
    /// Han ideographs and kana: scripts written without spaces; every character is a word
    /// of its own, and terms in these scripts match without word boundaries.
    case cjk = 5
}

/// The fold table: for every BMP scalar, its kind and the UTF-8 bytes of its folded form.
///
/// Folding = Unicode NFKC compatibility mapping (UAX #15: fullwidth forms, ligatures,
/// Arabic presentation forms …) + full lowercase mapping + removal of diacritics in
/// Latin, Greek and Cyrillic (é → e, ё → е, й → и) + ß → ss and ς → σ. Applied identically
/// to terms and texts, so only consistency matters, never linguistic perfection. Built
/// once (about 2 ms: Foundation is only asked for the ranges that have compatibility
/// or canonical decompositions worth folding) and immutable afterwards.
struct FoldTable: Sendable {
    /// kind (high 3 bits) | byte count (low 5 bits) per BMP scalar.
    let info: [UInt8]
    /// Offset into `bytes` per BMP scalar.
    let offset: [UInt32]
    let bytes: [UInt8]

    /// Per ASCII byte: its folded byte when it is a word character, else 0x80 | kind.
    let ascii: [UInt8]

    static let shared = FoldTable()

    private init() {
        var info = [UInt8](repeating: 0, count: 0x10000)
        var offset = [UInt32](repeating: 0, count: 0x10000)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(0x30000)
        for v in 0..<0x10000 {
            offset[v] = UInt32(bytes.count)
            guard let scalar = Unicode.Scalar(UInt32(v)) else {
                info[v] = ScalarKind.separator.rawValue << 5
                continue
            }
            let (kind, out) = FoldTable.fold(scalar)
            var n = 0
            for s in out {
                for b in UTF8.encode(s)! { bytes.append(b); n += 1 }
            }
            info[v] = kind.rawValue << 5 | UInt8(min(n, 31))
        }
        self.info = info
        self.offset = offset
        self.bytes = bytes
        var ascii = [UInt8](repeating: 0, count: 128)
        for v in 0..<128 {
            let kind = info[v] >> 5
            ascii[v] = kind == ScalarKind.word.rawValue && info[v] & 31 == 1 ? bytes[Int(offset[v])] : 0x80 | kind
        }
        self.ascii = ascii
    }

    /// Ranges where compatibility/canonical decomposition is applied (then marks stripped).
    private static func decomposes(_ v: UInt32) -> Bool {
        (0x00A0...0x04FF).contains(v) || (0x1E00...0x1FFF).contains(v) || (0x2070...0x218F).contains(v)
            || (0x2460...0x24FF).contains(v) || (0xFB00...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v)
            || (0xFF00...0xFFEF).contains(v)
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x3040...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0x20000...0x3FFFF).contains(v)
    }

    /// Marks that carry no lexical distinction in the scripts we strip them from.
    static func isStrippedMark(_ v: UInt32) -> Bool {
        (0x0300...0x036F).contains(v) || (0x0483...0x0489).contains(v) || (0x064B...0x065F).contains(v)
            || v == 0x0670 || (0x1AB0...0x1AFF).contains(v) || (0x1DC0...0x1DFF).contains(v) || (0x20D0...0x20FF).contains(v)
            || (0xFE20...0xFE2F).contains(v)
    }

    static func fold(_ scalar: Unicode.Scalar) -> (ScalarKind, [Unicode.Scalar]) {
        let v = scalar.value
        switch v {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return (.sentenceEnd, [])
        case 0x2E, 0xFF0E, 0xFE52: return (.period, [])
        case 0x21, 0x3F, 0x3002, 0xFF01, 0xFF1F, 0xFF61, 0x2026, 0x203C, 0x2047, 0x2048, 0x2049, 0x061F, 0x06D4, 0x0964, 0x0965:
            return (.sentenceEnd, [])
        case 0xAD, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x034F, 0x180E: return (.ignore, [])
        default: break
        }
        if (0xFE00...0xFE0F).contains(v) || isStrippedMark(v) { return (.ignore, []) }
        if isCJK(v) { return (.cjk, [scalar]) }
        var seq: [Unicode.Scalar] = [scalar]
        if decomposes(v) {
            seq = Array(String(Character(scalar)).decomposedStringWithCompatibilityMapping.unicodeScalars)
        }
        var out: [Unicode.Scalar] = []
        for s in seq {
            if isStrippedMark(s.value) { continue }
            // Most scalars have no lowercase mapping: skip building a String for them.
            guard s.value == 0xDF || s.value == 0x3C2 || s.properties.changesWhenLowercased else { out.append(s); continue }
            for l in s.properties.lowercaseMapping.unicodeScalars {
                switch l.value {
                case 0xDF: out.append("s"); out.append("s")   // ß → ss (case folding, CaseFolding.txt)
                case 0x3C2: out.append("\u{3C3}")             // final sigma
                case let x where isStrippedMark(x): continue
                default: out.append(l)
                }
            }
        }
        guard let first = out.first else { return (.ignore, []) }
        if out.count == 1, first != scalar {
            // A compatibility mapping may turn a letter into punctuation (fullwidth '!' → '!').
            let (k, o) = fold(first) as (ScalarKind, [Unicode.Scalar])
            if first.value < 0x80 || k != .word { return (k, o.isEmpty ? out : o) }
        }
        if isCJK(first.value) { return (.cjk, out) }   // halfwidth katakana → katakana
        let p = first.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return (.word, out)
        case .format:
            return (.ignore, [])
        default:
            return (.separator, [])
        }
    }

    /// Kind and folded scalars of any scalar (the table for the BMP, the slow path above it).
    func lookup(_ v: UInt32) -> (ScalarKind, ArraySlice<UInt8>) {
        if v < 0x10000 {
            let i = info[Int(v)]
            let off = Int(offset[Int(v)])
            return (ScalarKind(rawValue: i >> 5)!, bytes[off..<(off + Int(i & 31))])
        }
        guard let s = Unicode.Scalar(v) else { return (.separator, []) }
        let (k, out) = FoldTable.fold(s)
        var b: [UInt8] = []
        for o in out { b.append(contentsOf: String(o).utf8) }
        return (k, b[...])
    }
}

/// The normalized form of a term or text as a string of words separated by single
/// spaces — what the automaton sees. Used to compile terms and by tests/explanations.
enum Normalizer {
    /// Folds `text` exactly as the scanner does and returns the word stream
    /// (single spaces between words, CJK characters kept adjacent).
    static func normalize(_ text: String) -> String {
        let table = FoldTable.shared
        var out: [UInt8] = []
        var lastSpace = true
        var lastCJK = false
        for s in text.unicodeScalars {
            let (kind, bytes) = table.lookup(s.value)
            switch kind {
            case .ignore: continue
            case .separator, .sentenceEnd, .period:
                if !lastSpace { out.append(0x20); lastSpace = true }
                lastCJK = false
            case .word:
                if lastCJK { out.append(0x20) }
                out.append(contentsOf: bytes)
                lastSpace = false; lastCJK = false
            case .cjk:
                if !lastSpace && !lastCJK { out.append(0x20) }
                out.append(contentsOf: bytes)
                lastSpace = false; lastCJK = true
            }
        }
        while out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
