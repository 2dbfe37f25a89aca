/// Keeps feed text from reaching a terminal as control sequences.
///
/// Feed titles are written by strangers; an ESC in a title could recolour,
/// retitle or (with some terminals' OSC handlers) do worse to the operator's
/// terminal. `feedwatch tail` therefore prints only sanitized text, and the
/// alert log itself carries such characters only as JSON `\u` escapes.
public enum TerminalSafe {
    /// Text for one display line: removes whole escape sequences (ECMA-48
    /// section 5.4: CSI … final byte; OSC/DCS/SOS/PM/APC strings up to BEL or
    /// ST; two-character ESC sequences), every other C0/C1 control and DEL,
    /// and the Unicode bidi controls (Unicode TR9 explicit formatting
    /// characters, "Trojan Source" CVE-2021-42574), so text cannot be
    /// visually reordered. Tabs, newlines and the line/paragraph separators
    /// become one space each, keeping the output one line.
    public static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var it = Array(text.unicodeScalars)[...]
        while let c = it.popFirst() {
            let v = c.value
            switch v {
            case 0x1B: // ESC
                guard let next = it.first else { continue }
                switch next.value {
                case 0x5B: // '[' → CSI
                    it.removeFirst()
                    skipCSI(&it)
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: // ']' OSC, 'P' DCS, 'X' SOS, '^' PM, '_' APC
                    it.removeFirst()
                    skipControlString(&it)
                case 0x20...0x2F: // nF: intermediates then one final byte
                    while let n = it.first, (0x20...0x2F).contains(n.value) { it.removeFirst() }
                    if let n = it.first, (0x30...0x7E).contains(n.value) { it.removeFirst() }
                case 0x30...0x7E: // Fp/Fe/Fs: ESC + one byte
                    it.removeFirst()
                default:
                    break // lone ESC: dropped, the next character is judged on its own
                }
            case 0x9B: // C1 CSI
                skipCSI(&it)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F: // C1 OSC, DCS, SOS, PM, APC
                skipControlString(&it)
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x2028, 0x2029:
                if out.last != " " { out.append(" ") }
            case 0x00...0x1F, 0x7F...0x9F:
                continue
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                out.append(c)
            }
        }
        return String(out)
    }

    /// A JSON text made safe to print: any control, bidi or line-separator
    /// character still raw in it (JSON encoders need not escape C1, DEL or
    /// bidi controls; a hand-edited log could hold anything) is replaced by
    /// its `\uXXXX` escape. In valid JSON such characters can only occur
    /// inside strings (RFC 8259 section 2 allows only space, tab, LF and CR
    /// outside), where the escape means the same character, so the result
    /// parses to the same value.
    public static func escapeJSON(_ json: String) -> String {
        var needs = false
        for c in json.unicodeScalars where mustEscape(c.value) {
            needs = true
            break
        }
        guard needs else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 16)
        for c in json.unicodeScalars {
            if mustEscape(c.value) {
                out += "\\u" + hex4(c.value)
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func mustEscape(_ v: UInt32) -> Bool {
        switch v {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
            return true
        default:
            return false
        }
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 0xF)], digits[Int(v >> 8 & 0xF)], digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
    }

    /// CSI: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final
    /// byte 0x40–0x7E (ECMA-48 section 5.4). Stops early at anything else,
    /// dropping only what belonged to the sequence.
    private static func skipCSI(_ it: inout ArraySlice<Unicode.Scalar>) {
        while let n = it.first, (0x20...0x3F).contains(n.value) { it.removeFirst() }
        if let n = it.first, (0x40...0x7E).contains(n.value) { it.removeFirst() }
    }

    /// A control string runs to BEL (xterm's OSC terminator), ESC \ or C1 ST.
    /// An unterminated one swallows the rest of the text: a terminal would
    /// have done the same, and none of it is meant to be shown.
    private static func skipControlString(_ it: inout ArraySlice<Unicode.Scalar>) {
        while let n = it.popFirst() {
            switch n.value {
            case 0x07, 0x9C:
                return
            case 0x1B:
                if it.first?.value == 0x5C { it.removeFirst() }
                return
            default:
                continue
            }
        }
    }
}
