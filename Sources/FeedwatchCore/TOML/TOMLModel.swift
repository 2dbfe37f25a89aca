/// A TOML document as a tree whose every node knows the line it was written on.
///
/// Why our own reader instead of TOMLKit (DESIGN.md names it): `feedwatch check`
/// must report *every* problem as `FILE:LINE: message` — unknown keys, wrong
/// types, empty groups — and TOMLKit (toml++) exposes a position only for syntax
/// errors, not for the values it returns. Keeping the line on each node makes the
/// semantic checks of both config files exact. The reader implements TOML 1.0
/// (https://toml.io/en/v1.0.0) except that date-times are kept as their text.

/// One problem in a config file, printed as `FILE:LINE: message` (CONTRACT.md,
/// `feedwatch check`).
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// Line 0 means the file as a whole (unreadable, missing): `FILE: message`.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Every problem found in one or more config files; thrown so that nothing
/// half-valid is ever accepted.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

public indirect enum TOMLValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// Offset/local date-times, dates and times, kept as written (RFC 3339 text).
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The TOML type name, for "expected a string, got an integer" messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .bool: return "a boolean"
        case .datetime: return "a date-time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

public struct TOMLNode: Sendable {
    public var value: TOMLValue
    /// 1-based line where the value starts (for tables: the header or first key).
    public var line: Int

    public init(value: TOMLValue, line: Int) {
        self.value = value
        self.line = line
    }

    public var string: String? { if case .string(let s) = value { return s }; return nil }
    public var integer: Int64? { if case .integer(let i) = value { return i }; return nil }
    /// Integers are accepted where a float is expected (`threshold = 6`).
    public var number: Double? {
        switch value {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
    public var bool: Bool? { if case .bool(let b) = value { return b }; return nil }
    public var array: [TOMLNode]? { if case .array(let a) = value { return a }; return nil }
    public var table: TOMLTable? { if case .table(let t) = value { return t }; return nil }
}

public struct TOMLTable: Sendable {
    public var line: Int
    /// Keys in file order.
    public var entries: [(key: String, node: TOMLNode)]

    public init(line: Int, entries: [(key: String, node: TOMLNode)] = []) {
        self.line = line
        self.entries = entries
    }

    public subscript(key: String) -> TOMLNode? {
        entries.first(where: { $0.key == key })?.node
    }

    public var keys: [String] { entries.map(\.key) }
}
