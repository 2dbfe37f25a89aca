import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The daemon's swift-log handler: one line per event on stderr.
///
/// - Under systemd (stderr is the journal stream named by `$JOURNAL_STREAM`,
///   systemd.exec(5)): `<N>message key=value …` where `<N>` is the syslog
///   priority journald assigns to the line (sd-daemon(3): 2 crit, 3 err,
///   4 warning, 5 notice, 6 info, 7 debug). No timestamp: journald adds it.
/// - Otherwise (terminal, file, pipe): `2026-11-30T03:05:11.123Z info message
///   key=value …`, readable and sortable.
///
/// Messages are constant and data goes in metadata (DESIGN.md rule 10);
/// metadata keys are sorted so lines are stable. Values that hold spaces,
/// quotes, `=` or control characters are quoted with escapes, so a hostile
/// feed title can neither forge a second journal line nor send escape
/// sequences to an operator's terminal.
public struct FeedwatchLogHandler: LogHandler {
    public enum Style: Sendable, Equatable {
        case journal
        case terminal
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let style: Style
    private let output: @Sendable (String) -> Void

    /// A handler writing to stderr in the style `detectStyle()` picks.
    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, level: level, style: Self.detectStyle(), metadataProvider: metadataProvider,
                  output: Self.writeStderr)
    }

    /// A handler with an explicit style and output (tests).
    public init(label: String, level: Logger.Level, style: Style, metadataProvider: Logger.MetadataProvider? = nil,
                output: @escaping @Sendable (String) -> Void) {
        self.label = label
        logLevel = level
        self.style = style
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output(format(event, now: Date()))
    }

    /// The line for one event, newline included.
    func format(_ event: LogEvent, now: Date) -> String {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }

        var line: String
        switch style {
        case .journal:
            line = "<\(Self.priority(event.level))>"
        case .terminal:
            line = Self.timestamp(now) + " " + event.level.rawValue + " "
        }
        line += Self.escape(event.message.description, quoteIfNeeded: false)
        for key in merged.keys.sorted() {
            line += " " + Self.escape(key, quoteIfNeeded: false) + "=" + Self.render(merged[key]!)
        }
        return line + "\n"
    }

    /// sd-daemon(3) / syslog(3) priorities.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `.journal` when stderr is the stream systemd connected to the journal:
    /// `$JOURNAL_STREAM` is `DEVICE:INODE` of that stream, and matching it
    /// against fstat(2) of fd 2 tells a redirected stderr (`2>file` in a
    /// unit's ExecStart wrapper) from the journal (systemd.exec(5),
    /// "$JOURNAL_STREAM").
    public static func detectStyle(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        guard let stream = environment["JOURNAL_STREAM"] else { return .terminal }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return .terminal }
        var st = stat()
        guard fstat(2, &st) == 0 else { return .terminal }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino ? .journal : .terminal
    }

    @Sendable static func writeStderr(_ line: String) {
        // One write(2) per line: lines from concurrent tasks do not interleave.
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return // stderr is gone; nothing better to do with a log line
            }
            bytes = bytes.dropFirst(n)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1,
                      Int(tmv.tm_mday), Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec), Int(ms % 1000))
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(s): return escape(s, quoteIfNeeded: true)
        case let .stringConvertible(c): return escape(c.description, quoteIfNeeded: true)
        case let .array(items): return escape("[" + items.map { "\($0)" }.joined(separator: ", ") + "]", quoteIfNeeded: true)
        case let .dictionary(dict):
            let inner = dict.keys.sorted().map { "\($0): \(dict[$0]!)" }.joined(separator: ", ")
            return escape("[" + inner + "]", quoteIfNeeded: true)
        }
    }

    /// Control characters (C0, DEL, C1), bidi controls and line separators
    /// become `\n`, `\t`, `\u{…}` escapes: a log line stays one line and
    /// carries nothing a terminal would act on. With `quoteIfNeeded`, a value
    /// that is empty or holds a space, `"` or `=` is wrapped in quotes.
    static func escape(_ s: String, quoteIfNeeded: Bool) -> String {
        var out = ""
        var quote = quoteIfNeeded && s.isEmpty
        for c in s.unicodeScalars {
            switch c.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(c.value, radix: 16) + "}"
            case 0x22 where quoteIfNeeded:
                out += "\\\""
                quote = true
            case 0x5C where quoteIfNeeded:
                out += "\\\\"
                quote = true
            case 0x20, 0x3D:
                quote = quote || quoteIfNeeded
                out.unicodeScalars.append(c)
            default:
                out.unicodeScalars.append(c)
            }
        }
        return quote ? "\"" + out + "\"" : out
    }
}

/// Process-wide logging set-up for the `feedwatch` executable.
public enum FeedwatchLogging {
    /// Installs `FeedwatchLogHandler` for every logger at `level`. Call once,
    /// first thing in a command (swift-log allows one bootstrap per process).
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            FeedwatchLogHandler(label: label, level: level)
        }
    }

    /// `--log-level` values: swift-log's level names (`trace`, `debug`,
    /// `info`, `notice`, `warning`, `error`, `critical`), plus syslog's `err`
    /// and `warn` spellings.
    public static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "err": return .error
        case "warn": return .warning
        case "crit": return .critical
        default: return Logger.Level(rawValue: name.lowercased())
        }
    }
}
