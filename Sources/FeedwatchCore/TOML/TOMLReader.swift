/// TOML 1.0 reader (https://toml.io/en/v1.0.0) that keeps the line of every node
/// and reports every syntax error it can recover from (it skips to the next line
/// after an error), so an operator fixes a config file in one round.
public enum TOML {
    public static func parse(_ text: String, file: String) throws(ConfigProblems) -> TOMLTable {
        var reader = TOMLReader(bytes: Array(text.utf8), file: file)
        let root = reader.readDocument()
        if !reader.problems.isEmpty {
            throw ConfigProblems(reader.problems)
        }
        return root.frozen()
    }
}

// MARK: - Mutable tree used while reading

private final class MTable {
    let line: Int
    var order: [String] = []
    var children: [String: MNode] = [:]
    /// Defined by a `[header]` (may not be defined twice).
    var definedByHeader = false
    /// Created by a dotted key (`a.b = 1`); may not be reopened by a header.
    var definedByDottedKey = false
    /// Inline tables `{ … }` are closed once written.
    var isInline = false

    init(line: Int) { self.line = line }

    func frozen() -> TOMLTable {
        var t = TOMLTable(line: line)
        for k in order {
            guard let child = children[k] else { continue }
            t.entries.append((key: k, node: child.frozen()))
        }
        return t
    }
}

private enum MNode {
    case value(TOMLNode)
    case table(MTable)
    case arrayOfTables([MTable], line: Int)

    func frozen() -> TOMLNode {
        switch self {
        case .value(let n): return n
        case .table(let t): return TOMLNode(value: .table(t.frozen()), line: t.line)
        case .arrayOfTables(let ts, let line):
            return TOMLNode(value: .array(ts.map { TOMLNode(value: .table($0.frozen()), line: $0.line) }), line: line)
        }
    }
}

private struct SyntaxError: Error {
    var line: Int
    var message: String
}

// MARK: - Reader

private struct TOMLReader {
    let bytes: [UInt8]
    let file: String
    var pos = 0
    var line = 1
    var problems: [ConfigProblem] = []
    /// Nesting of the value being read: table-header keys + dotted-key parts + open
    /// arrays and inline tables. TOML 1.0 sets no limit, but the reader and the tree
    /// it builds (`frozen()`, deinit) recurse once per level, so unbounded nesting
    /// overflows the stack (`a = [[[[…` 20,000 deep crashed `feedwatch check`; found
    /// by the fuzz target in Fuzz/Keywords). Real configs nest 3 or 4 levels.
    var depth = 0
    /// Depth of the table the current `[header]` opened (keys below it start there).
    var headerDepth = 0
    static let maxDepth = 100

    init(bytes: [UInt8], file: String) {
        // A UTF-8 byte order mark is allowed before the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            self.bytes = Array(bytes.dropFirst(3))
        } else {
            self.bytes = bytes
        }
        self.file = file
    }

    var atEnd: Bool { pos >= bytes.count }
    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    func peek(_ offset: Int) -> UInt8? { pos + offset < bytes.count ? bytes[pos + offset] : nil }

    func fail(_ message: String, line: Int? = nil) -> SyntaxError {
        SyntaxError(line: line ?? self.line, message: message)
    }

    // MARK: document

    mutating func readDocument() -> MTable {
        let root = MTable(line: 1)
        var current = root
        while true {
            skipBlankLinesAndComments()
            if atEnd { break }
            let startLine = line
            do {
                if peek == UInt8(ascii: "[") {
                    headerLines.insert(startLine)
                    headerDepth = 0
                    current = try readHeader(root: root)
                } else {
                    try readKeyValue(into: current)
                }
                try expectEndOfLine()
            } catch {
                problems.append(ConfigProblem(file: file, line: error.line, message: error.message))
                // Recover at the next line; a broken header leaves later keys in a
                // scratch table so they do not pile onto the previous one.
                skipRestOfLine()
                if isHeaderLine(startLine) {
                    current = MTable(line: startLine)
                    headerDepth = 0
                }
            }
        }
        return root
    }

    var headerLines: Set<Int> = []
    func isHeaderLine(_ l: Int) -> Bool { headerLines.contains(l) }

    mutating func skipRestOfLine() {
        while let c = peek, c != UInt8(ascii: "\n") { pos += 1 }
    }

    mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { pos += 1 }
    }

    mutating func skipComment() throws(SyntaxError) {
        guard peek == UInt8(ascii: "#") else { return }
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { break }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                throw fail("control character in a comment")
            }
            pos += 1
        }
    }

    mutating func skipBlankLinesAndComments() {
        while !atEnd {
            skipSpaces()
            if peek == UInt8(ascii: "#") {
                do { try skipComment() } catch { problems.append(ConfigProblem(file: file, line: error.line, message: error.message)); skipRestOfLine() }
            }
            if !consumeNewline() { return }
        }
    }

    /// Consumes `\n` or `\r\n`; counts the line.
    mutating func consumeNewline() -> Bool {
        if peek == UInt8(ascii: "\n") {
            pos += 1; line += 1; return true
        }
        if peek == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            pos += 2; line += 1; return true
        }
        return false
    }

    mutating func expectEndOfLine() throws(SyntaxError) {
        skipSpaces()
        try skipComment()
        if atEnd || consumeNewline() { return }
        throw fail("expected the end of the line, found '\(describeNext())'")
    }

    func describeNext() -> String {
        var end = pos
        while end < bytes.count, end - pos < 20, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return String(decoding: bytes[pos..<end], as: UTF8.self)
    }

    // MARK: headers

    mutating func readHeader(root: MTable) throws(SyntaxError) -> MTable {
        let headerLine = line
        pos += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { pos += 1 }
        skipSpaces()
        let path = try readKey()
        try checkDepth(path.count)
        skipSpaces()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
        pos += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array-of-tables header") }
            pos += 1
        }
        headerDepth = path.count
        var table = root
        for (i, key) in path.enumerated() {
            let last = i == path.count - 1
            if last && isArray {
                let fresh = MTable(line: headerLine)
                fresh.definedByHeader = true
                switch table.children[key] {
                case nil:
                    table.order.append(key)
                    table.children[key] = .arrayOfTables([fresh], line: headerLine)
                case .arrayOfTables(var list, let l)?:
                    list.append(fresh)
                    table.children[key] = .arrayOfTables(list, line: l)
                default:
                    throw fail("'\(path.joined(separator: "."))' is already defined as something other than an array of tables")
                }
                return fresh
            }
            switch table.children[key] {
            case nil:
                let fresh = MTable(line: headerLine)
                table.order.append(key)
                table.children[key] = .table(fresh)
                table = fresh
            case .table(let t)?:
                if t.isInline { throw fail("inline table '\(key)' cannot be extended") }
                table = t
            case .arrayOfTables(let list, _)?:
                // [a.b] after [[a]] refers to the last element of a.
                table = list[list.count - 1]
            case .value?:
                throw fail("'\(path[...i].joined(separator: "."))' is already a value, not a table")
            }
            if last {
                if table.definedByHeader {
                    throw fail("table [\(path.joined(separator: "."))] is defined twice")
                }
                if table.definedByDottedKey {
                    throw fail("table [\(path.joined(separator: "."))] was already defined by dotted keys")
                }
                table.definedByHeader = true
            }
        }
        return table
    }

    // MARK: key = value

    mutating func readKeyValue(into table: MTable) throws(SyntaxError) {
        let keyLine = line
        let path = try readKey()
        depth = 0
        try checkDepth(headerDepth + path.count)
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            throw fail("expected '=' after the key '\(path.joined(separator: "."))'")
        }
        pos += 1
        skipSpaces()
        depth = headerDepth + path.count
        defer { depth = 0 }
        let node = try readValue()
        try insert(node, at: path, into: table, line: keyLine)
    }

    mutating func insert(_ node: TOMLNode, at path: [String], into table: MTable, line keyLine: Int) throws(SyntaxError) {
        var t = table
        for key in path.dropLast() {
            switch t.children[key] {
            case nil:
                let fresh = MTable(line: keyLine)
                fresh.definedByDottedKey = true
                t.order.append(key)
                t.children[key] = .table(fresh)
                t = fresh
            case .table(let sub)?:
                if sub.isInline || sub.definedByHeader {
                    throw fail("cannot add keys to table '\(key)' with a dotted key here", line: keyLine)
                }
                t = sub
            default:
                throw fail("'\(key)' is already a value, not a table", line: keyLine)
            }
        }
        let last = path[path.count - 1]
        if t.children[last] != nil {
            throw fail("duplicate key '\(path.joined(separator: "."))'", line: keyLine)
        }
        t.order.append(last)
        if case .table(let inline) = node.value {
            // Keep inline tables closed: rebuild as a frozen MTable.
            let m = MTable(line: node.line)
            m.isInline = true
            for (k, v) in inline.entries {
                m.order.append(k)
                m.children[k] = .value(v)
            }
            t.children[last] = .table(m)
        } else {
            t.children[last] = .value(node)
        }
    }

    /// Fails once `levels` more levels would exceed `maxDepth` (see `depth`).
    func checkDepth(_ levels: Int) throws(SyntaxError) {
        if depth + levels > Self.maxDepth {
            throw fail("nested more than \(Self.maxDepth) levels deep (tables, dotted keys, arrays and inline tables together)")
        }
    }

    static func isBareKeyChar(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    /// Reads a possibly dotted key: `a.b."c d".'e'`.
    mutating func readKey() throws(SyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { throw fail("expected a key") }
            if c == UInt8(ascii: "\"") {
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                    throw fail("multi-line strings cannot be keys")
                }
                parts.append(try readBasicString())
            } else if c == UInt8(ascii: "'") {
                parts.append(try readLiteralString())
            } else if Self.isBareKeyChar(c) {
                let start = pos
                while let d = peek, Self.isBareKeyChar(d) { pos += 1 }
                parts.append(String(decoding: bytes[start..<pos], as: UTF8.self))
            } else if c == UInt8(ascii: "=") {
                throw fail("a key is missing before '='")
            } else {
                throw fail("invalid character '\(describeNext().prefix(1))' in a key")
            }
            skipSpaces()
            if peek == UInt8(ascii: ".") {
                pos += 1
                continue
            }
            return parts
        }
    }

    // MARK: values

    mutating func readValue() throws(SyntaxError) -> TOMLNode {
        let valueLine = line
        guard let c = peek else { throw fail("expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                return TOMLNode(value: .string(try readMultilineBasicString()), line: valueLine)
            }
            return TOMLNode(value: .string(try readBasicString()), line: valueLine)
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                return TOMLNode(value: .string(try readMultilineLiteralString()), line: valueLine)
            }
            return TOMLNode(value: .string(try readLiteralString()), line: valueLine)
        case UInt8(ascii: "["):
            return TOMLNode(value: .array(try readArray()), line: valueLine)
        case UInt8(ascii: "{"):
            return TOMLNode(value: .table(try readInlineTable()), line: valueLine)
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw fail("expected a value after '='")
        default:
            return TOMLNode(value: try readScalar(), line: valueLine)
        }
    }

    mutating func skipArrayWhitespace() throws(SyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if !consumeNewline() { return }
        }
    }

    mutating func readArray() throws(SyntaxError) -> [TOMLNode] {
        let openLine = line
        try checkDepth(1)
        depth += 1
        defer { depth -= 1 }
        pos += 1
        var items: [TOMLNode] = []
        while true {
            try skipArrayWhitespace()
            guard let c = peek else { throw fail("unterminated array (opened on line \(openLine))") }
            if c == UInt8(ascii: "]") { pos += 1; return items }
            items.append(try readValue())
            try skipArrayWhitespace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == UInt8(ascii: "]") { pos += 1; return items }
            if atEnd { throw fail("unterminated array (opened on line \(openLine))") }
            throw fail("expected ',' or ']' in an array, found '\(describeNext().prefix(10))'")
        }
    }

    mutating func readInlineTable() throws(SyntaxError) -> TOMLTable {
        let openLine = line
        try checkDepth(1)
        depth += 1
        defer { depth -= 1 }
        pos += 1
        let table = MTable(line: openLine)
        skipSpaces()
        if peek == UInt8(ascii: "}") { pos += 1; return table.frozen() }
        while true {
            skipSpaces()
            let keyLine = line
            let path = try readKey()
            // A dotted key inside `{ … }` opens one table per part (beyond the first,
            // which the `{` already counted).
            try checkDepth(path.count - 1)
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw fail("expected '=' in an inline table") }
            pos += 1
            skipSpaces()
            depth += path.count - 1
            let node: TOMLNode
            do { node = try readValue() } catch { depth -= path.count - 1; throw error }
            depth -= path.count - 1
            try insert(node, at: path, into: table, line: keyLine)
            skipSpaces()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == UInt8(ascii: "}") { pos += 1; return table.frozen() }
            throw fail("expected ',' or '}' in an inline table (inline tables must fit on one line)")
        }
    }

    // MARK: strings

    mutating func readBasicString() throws(SyntaxError) -> String {
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            if c == UInt8(ascii: "\"") { pos += 1; break }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { throw fail("unterminated string (newline inside a \"…\" string)") }
            if c == UInt8(ascii: "\\") {
                try readEscape(into: &out)
                continue
            }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("control character in a string") }
            out.append(c)
            pos += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func readEscape(into out: inout [UInt8]) throws(SyntaxError) {
        pos += 1
        guard let e = peek else { throw fail("unterminated escape") }
        pos += 1
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "u") ? 4 : 8
            guard pos + n <= bytes.count,
                  let v = UInt32(String(decoding: bytes[pos..<pos + n], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(v) else {
                throw fail("invalid unicode escape")
            }
            pos += n
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
        }
    }

    mutating func readMultilineBasicString() throws(SyntaxError) -> String {
        let openLine = line
        pos += 3
        _ = consumeNewline()   // a newline right after the delimiter is trimmed
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated multi-line string (opened on line \(openLine))") }
            if c == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                pos += 3
                // Up to two extra quotes belong to the content ("""a"""" → a").
                var extra = 0
                while peek == UInt8(ascii: "\""), extra < 2 { out.append(0x22); pos += 1; extra += 1 }
                break
            }
            if c == UInt8(ascii: "\\") {
                // Line-ending backslash: trim whitespace and newlines that follow.
                var look = pos + 1
                while look < bytes.count, bytes[look] == 0x20 || bytes[look] == 0x09 { look += 1 }
                if look < bytes.count, bytes[look] == UInt8(ascii: "\n") || bytes[look] == UInt8(ascii: "\r") {
                    pos = look
                    while true {
                        skipSpaces()
                        if !consumeNewline() { break }
                    }
                    continue
                }
                try readEscape(into: &out)
                continue
            }
            if consumeNewline() { out.append(0x0A); continue }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("control character in a string") }
            out.append(c)
            pos += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func readLiteralString() throws(SyntaxError) -> String {
        pos += 1
        let start = pos
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            if c == UInt8(ascii: "'") { break }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { throw fail("unterminated string (newline inside a '…' string)") }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("control character in a string") }
            pos += 1
        }
        let s = String(decoding: bytes[start..<pos], as: UTF8.self)
        pos += 1
        return s
    }

    mutating func readMultilineLiteralString() throws(SyntaxError) -> String {
        let openLine = line
        pos += 3
        _ = consumeNewline()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated multi-line string (opened on line \(openLine))") }
            if c == UInt8(ascii: "'"), peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                pos += 3
                var extra = 0
                while peek == UInt8(ascii: "'"), extra < 2 { out.append(0x27); pos += 1; extra += 1 }
                break
            }
            if consumeNewline() { out.append(0x0A); continue }
            out.append(c)
            pos += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: numbers, booleans, date-times

    mutating func readScalar() throws(SyntaxError) -> TOMLValue {
        let start = pos
        while let c = peek, !(c == 0x20 || c == 0x09 || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
                              || c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
                              || c == UInt8(ascii: "#")) {
            pos += 1
        }
        var token = String(decoding: bytes[start..<pos], as: UTF8.self)
        if token.isEmpty { throw fail("expected a value") }
        if token == "true" { return .bool(true) }
        if token == "false" { return .bool(false) }
        if Self.looksLikeDate(token) {
            // "1979-05-27 07:32:00": a space may separate date and time.
            if token.count == 10, peek == 0x20, let d1 = peek(1), let d2 = peek(2), peek(3) == UInt8(ascii: ":"),
               d1 >= 0x30 && d1 <= 0x39, d2 >= 0x30 && d2 <= 0x39 {
                pos += 1
                let tstart = pos
                while let c = peek, !(c == 0x20 || c == 0x09 || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
                                      || c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
                                      || c == UInt8(ascii: "#")) { pos += 1 }
                token += "T" + String(decoding: bytes[tstart..<pos], as: UTF8.self)
            }
            return .datetime(token)
        }
        if Self.looksLikeTime(token) { return .datetime(token) }
        if let i = Self.integer(token) { return .integer(i) }
        if let d = Self.float(token) { return .float(d) }
        if token.first == "\u{201C}" || token.first == "\u{2018}" {
            throw fail("typographic quote: use straight quotes \" or ' around strings")
        }
        if token.first?.isLetter == true {
            throw fail("'\(token)' is not a value (strings need quotes)")
        }
        throw fail("invalid value '\(token)'")
    }

    static func looksLikeDate(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard u.count >= 10 else { return false }
        func digit(_ i: Int) -> Bool { u[i] >= 0x30 && u[i] <= 0x39 }
        return digit(0) && digit(1) && digit(2) && digit(3) && u[4] == UInt8(ascii: "-") && digit(5) && digit(6)
            && u[7] == UInt8(ascii: "-") && digit(8) && digit(9)
    }

    static func looksLikeTime(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard u.count >= 8 else { return false }
        func digit(_ i: Int) -> Bool { u[i] >= 0x30 && u[i] <= 0x39 }
        return digit(0) && digit(1) && u[2] == UInt8(ascii: ":") && digit(3) && digit(4) && u[5] == UInt8(ascii: ":")
    }

    /// Underscores only between digits (TOML 1.0 "Integer").
    static func stripUnderscores(_ s: Substring) -> String? {
        if s.isEmpty { return nil }
        if s.first == "_" || s.last == "_" || s.contains("__") { return nil }
        return s.replacingOccurrences(of: "_", with: "")
    }

    static func integer(_ t: String) -> Int64? {
        var s = Substring(t)
        var negative = false
        if s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix("0b") {
            let radix = s.hasPrefix("0x") ? 16 : (s.hasPrefix("0o") ? 8 : 2)
            guard let digits = stripUnderscores(s.dropFirst(2)) else { return nil }
            return Int64(digits, radix: radix)
        }
        if s.first == "+" || s.first == "-" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        guard let digits = stripUnderscores(s), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if digits.count > 1 && digits.first == "0" { return nil }   // leading zeros are not allowed
        return Int64((negative ? "-" : "") + digits)
    }

    static func float(_ t: String) -> Double? {
        switch t {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        guard let s = stripUnderscores(Substring(t)) else { return nil }
        // "1." and ".5" are not TOML floats.
        if s.hasSuffix(".") || s.hasPrefix(".") || s.contains(".e") || s.contains(".E") { return nil }
        guard s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(s)
    }
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        String(self).replacingOccurrences(of: a, with: b)
    }
}
