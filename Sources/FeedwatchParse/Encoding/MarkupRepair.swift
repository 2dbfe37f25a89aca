import FeedwatchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte-level repair pass over the UTF-8 document, run before libxml2.
///
/// libxml2's recover mode handles most breakage, but three common feed faults
/// lose text there: HTML named entities used without a DTD (`&nbsp;` is
/// dropped), bare `&` in URLs (`?a=1&b=2` becomes `?a=1=2`), and C0 control
/// characters (XML 1.0 §2.2 forbids them; libxml2 may stop at one). This pass
/// rewrites HTML entity names to numeric references, escapes other bare `&`,
/// replaces forbidden control characters with spaces, and drops junk before the
/// first `<`. CDATA sections, comments, processing instructions and the DOCTYPE
/// are left alone; names declared in the internal DTD subset are kept.
/// Any change means the document was not well-formed (`bozo`).
enum MarkupRepair {
    struct Result {
        var bytes: [UInt8]
        var changed: Bool
    }

    private static let xmlEntities: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    static func repair(_ input: [UInt8]) -> Result {
        input.withUnsafeBufferPointer { buf in
            var r = Repairer(p: buf.baseAddress!, n: buf.count)
            r.run()
            if let out = r.out { return Result(bytes: out, changed: true) }
            if r.leadingSkip > 0 { return Result(bytes: Array(buf[r.leadingSkip...]), changed: r.leadingJunk) }
            return Result(bytes: input, changed: false)
        }
    }

    private struct Repairer {
        let p: UnsafePointer<UInt8>
        let n: Int
        var out: [UInt8]?
        /// Bytes copied into `out` so far come from p[0..<copied] (after leadingSkip).
        var copied = 0
        var leadingSkip = 0
        var leadingJunk = false
        var declared: Set<String> = []

        init(p: UnsafePointer<UInt8>, n: Int) {
            self.p = p
            self.n = n
        }

        mutating func ensureOut(upTo i: Int) {
            if out == nil {
                var o: [UInt8] = []
                o.reserveCapacity(n + n / 16 + 64)
                out = o
                copied = leadingSkip
            }
            if copied < i {
                out!.append(contentsOf: UnsafeBufferPointer(start: p + copied, count: i - copied))
                copied = i
            }
        }

        mutating func replace(from i: Int, length: Int, with bytes: [UInt8]) {
            ensureOut(upTo: i)
            out!.append(contentsOf: bytes)
            copied = i + length
        }

        func starts(_ i: Int, _ s: StaticString) -> Bool {
            let m = s.utf8CodeUnitCount
            guard i + m <= n else { return false }
            let q = s.utf8Start
            for k in 0..<m where p[i + k] != q[k] { return false }
            return true
        }

        func find(_ i: Int, _ s: StaticString) -> Int? {
            let m = s.utf8CodeUnitCount
            let q = s.utf8Start
            var j = i
            while j + m <= n {
                // memchr for the first byte, then compare the rest.
                guard let hit = memchr(p + j, Int32(q[0]), n - m + 1 - j) else { return nil }
                j = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
                if memcmp(p + j + 1, q + 1, m - 1) == 0 { return j }
                j += 1
            }
            return nil
        }

        /// amp, lt, gt, quot, apos (XML 1.0 §4.6), compared as bytes.
        func isXMLEntity(_ s: Int, _ len: Int) -> Bool {
            switch len {
            case 2: return (p[s] == 0x6C || p[s] == 0x67) && p[s + 1] == 0x74
            case 3: return p[s] == 0x61 && p[s + 1] == 0x6D && p[s + 2] == 0x70
            case 4: return (p[s] == 0x71 && p[s + 1] == 0x75 && p[s + 2] == 0x6F && p[s + 3] == 0x74)
                || (p[s] == 0x61 && p[s + 1] == 0x70 && p[s + 2] == 0x6F && p[s + 3] == 0x73)
            default: return false
            }
        }

        mutating func run() {
            // Junk before the first markup: whitespace is dropped silently (libxml2
            // refuses an XML declaration after it), anything else is a fault.
            var i = 0
            while i < n && p[i] != 0x3C { i += 1 }
            if i > 0 && i < n {
                leadingSkip = i
                for k in 0..<i where !(p[k] == 0x20 || p[k] == 0x09 || p[k] == 0x0A || p[k] == 0x0D) {
                    leadingJunk = true
                    break
                }
                if leadingJunk { ensureOut(upTo: i) }
            } else if i >= n {
                return  // no markup at all; let the parser say so
            }
            while i < n {
                // Eight bytes at a time while none is '<', '&' or a C0 control
                // (SWAR "has byte" tests, Hacker's Delight §6-1).
                while i + 8 <= n {
                    let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                    let lt = w ^ (ones &* 0x3C), amp = w ^ (ones &* 0x26)
                    let found = ((w &- ones &* 0x20) & ~w & highs)
                        | ((lt &- ones) & ~lt & highs) | ((amp &- ones) & ~amp & highs)
                    if found != 0 { break }
                    i += 8
                }
                guard i < n else { break }
                let c = p[i]
                if c == 0x3C {  // '<'
                    if i + 1 < n && p[i + 1] == 0x21 {  // "<!"
                        if starts(i, "<![CDATA[") {
                            guard let e = find(i + 9, "]]>") else { i = scrubControls(from: i + 9, to: n); return }
                            i = scrubControls(from: i + 9, to: e) + 3
                            continue
                        }
                        if starts(i, "<!--") {
                            guard let e = find(i + 4, "-->") else { return }
                            i = e + 3
                            continue
                        }
                        if starts(i, "<!DOCTYPE") {
                            i = skipDoctype(i + 9)
                            continue
                        }
                    } else if i + 1 < n && p[i + 1] == 0x3F {  // "<?"
                        guard let e = find(i + 2, "?>") else { return }
                        i = e + 2
                        continue
                    }
                    i += 1
                    continue
                }
                if c == 0x26 {  // '&'
                    i = fixAmpersand(i)
                    continue
                }
                if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
                    replace(from: i, length: 1, with: [0x20])
                }
                i += 1
            }
            if out != nil { ensureOut(upTo: n) }
        }

        /// Control characters are forbidden even in CDATA (XML 1.0 §2.2).
        mutating func scrubControls(from a: Int, to b: Int) -> Int {
            var i = a
            while i < b {
                // Eight bytes at a time while none is below 0x20.
                while i + 8 <= b {
                    let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                    if (w &- ones &* 0x20) & ~w & highs != 0 { break }
                    i += 8
                }
                guard i < b else { break }
                let c = p[i]
                if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { replace(from: i, length: 1, with: [0x20]) }
                i += 1
            }
            return b
        }

        /// Returns the index after the reference (or after the '&').
        mutating func fixAmpersand(_ i: Int) -> Int {
            var j = i + 1
            if j < n && p[j] == 0x23 {  // "&#": numeric reference, decimal or hex (XML 1.0 §4.1)
                j += 1
                var hex = false
                let xAt = j
                if j < n && (p[j] == 0x78 || p[j] == 0x58) { hex = true; j += 1 }
                let digitsStart = j
                while j < n && (isDigit(p[j]) || (hex && isHex(p[j]))) { j += 1 }
                if j > digitsStart && j < n && p[j] == 0x3B {
                    // XML allows only a lowercase x (§4.1); HTML-minded publishers write &#X41;.
                    if hex && p[xAt] == 0x58 { replace(from: xAt, length: 1, with: [0x78]) }
                    return j + 1
                }
                replace(from: i, length: 1, with: Array("&amp;".utf8))
                return i + 1
            }
            let nameStart = j
            while j < n && j - nameStart < 32 && isNameChar(p[j]) { j += 1 }
            if j > nameStart && j < n && p[j] == 0x3B {
                if isXMLEntity(nameStart, j - nameStart) { return j + 1 }
                let name = String(decoding: UnsafeBufferPointer(start: p + nameStart, count: j - nameStart), as: Unicode.UTF8.self)
                if MarkupRepair.xmlEntities.contains(name) || declared.contains(name) { return j + 1 }
                if let cp = HTMLEntities.html401[name] {
                    replace(from: i, length: j + 1 - i, with: Array("&#\(cp);".utf8))
                    return j + 1
                }
            }
            // Bare '&' (or an unknown name): keep it as literal text.
            replace(from: i, length: 1, with: Array("&amp;".utf8))
            return i + 1
        }

        /// Skips the DOCTYPE declaration, collecting the general entities its
        /// internal subset declares (XML 1.0 §4.2) so their references stay.
        mutating func skipDoctype(_ start: Int) -> Int {
            var i = start
            var quote: UInt8 = 0
            var inSubset = false
            while i < n {
                let c = p[i]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == 0x22 || c == 0x27 {
                    quote = c
                } else if c == 0x5B {
                    inSubset = true
                } else if c == 0x5D {
                    inSubset = false
                } else if c == 0x3E && !inSubset {
                    return i + 1
                } else if inSubset && c == 0x3C && starts(i, "<!ENTITY") {
                    var j = i + 8
                    while j < n && isSpace(p[j]) { j += 1 }
                    if j < n && p[j] != 0x25 {  // not a parameter entity
                        let s = j
                        while j < n && isNameChar(p[j]) { j += 1 }
                        if j > s {
                            declared.insert(String(decoding: UnsafeBufferPointer(start: p + s, count: j - s), as: Unicode.UTF8.self))
                        }
                    }
                    i = j
                    continue
                } else if inSubset && c == 0x3C && starts(i, "<!--") {
                    if let e = find(i + 4, "-->") { i = e + 3; continue }
                    return n
                }
                i += 1
            }
            return n
        }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) private func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) }
@inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
@inline(__always) private func isNameChar(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || isDigit(c) || c == 0x5F || c == 0x2D || c == 0x2E || c == 0x3A || c >= 0x80
}
