import FeedwatchCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the alert log from its end: the reconcile scan (`recentIDs`) and
/// `feedwatch tail`. Only complete lines (ending in a newline) are returned;
/// an unterminated last line is a write in progress or a fragment left by a
/// failed write.
public enum AlertLogReader {
    /// The complete lines within the last `maxBytes` of the file (the first,
    /// cut line dropped); empty if the file cannot be read.
    static func tailLines(path: String, maxBytes: Int) -> [[UInt8]] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return [] }
        let size = Int(st.st_size)
        let start = max(0, size - max(0, maxBytes))
        guard let bytes = preadAll(fd, from: start, count: size - start) else { return [] }
        return splitComplete(dropCutLine(bytes[...], fd: fd, at: start)).lines
    }

    /// The last `count` complete lines of the file, oldest first.
    public static func lastLines(path: String, count: Int) throws(AlertSinkError) -> [String] {
        let follower = AlertLogFollower(path: path)
        guard Posix.exists(path) else { throw AlertSinkError.system("open", path, ENOENT) }
        return follower.start(lastLines: count)
    }

    /// Bytes read from `at` onwards, without the first line if `at` is in
    /// the middle of one.
    static func dropCutLine(_ bytes: ArraySlice<UInt8>, fd: Int32, at: Int) -> ArraySlice<UInt8> {
        guard at > 0, !precededByNewline(fd, at) else { return bytes }
        guard let nl = bytes.firstIndex(of: 0x0A) else { return bytes[bytes.endIndex...] }
        return bytes[(nl + 1)...]
    }

    static func precededByNewline(_ fd: Int32, _ offset: Int) -> Bool {
        guard offset > 0 else { return true }
        var b: UInt8 = 0
        return pread(fd, &b, 1, off_t(offset - 1)) == 1 && b == 0x0A
    }

    /// Reads `count` bytes at `from` (fewer if the file is shorter).
    static func preadAll(_ fd: Int32, from: Int, count: Int) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(from + got)) }
            if n < 0 {
                if Posix.errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            got += n
        }
        buf.removeLast(count - got)
        return buf
    }

    /// Splits at newlines; returns the complete lines and how many bytes they
    /// span (the remainder is an unterminated fragment).
    static func splitComplete(_ bytes: ArraySlice<UInt8>) -> (lines: [[UInt8]], consumed: Int) {
        var lines: [[UInt8]] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                var line = Array(bytes[lineStart..<i])
                if line.last == 0x0D { line.removeLast() }
                if !line.isEmpty { lines.append(line) }
                lineStart = i + 1
            }
            i += 1
        }
        return (lines, lineStart - bytes.startIndex)
    }
}

/// Follows the alert log like `tail -F`: reports new complete lines, and
/// survives rotation (the path now names another inode: the old file is read
/// to its end, then the new one from its start), truncation (the size fell
/// below what was read: start again at 0) and the file being absent for a
/// while. Polling, so tests drive it step by step without timing.
///
/// Not thread-safe: one follower per reader loop.
public final class AlertLogFollower {
    public let path: String
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset = 0
    private var pending: [UInt8] = []
    /// A line longer than this without a newline is not an alert: dropped.
    private let maxLineBytes = 4 << 20
    private let chunk = 64 << 10

    public init(path: String) {
        self.path = path
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Opens the log if it exists and returns its last `n` complete lines;
    /// following continues after them.
    public func start(lastLines n: Int) -> [String] {
        guard openCurrent() else { return [] }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return [] }
        let size = Int(st.st_size)
        // Walk back from the end in chunks until n+1 newlines are seen (the
        // extra one bounds the oldest wanted line) or the file starts.
        var from = size
        var tailBytes: [UInt8] = []
        var newlines = 0
        while from > 0 && newlines <= n {
            let step = min(chunk, from)
            from -= step
            guard let part = AlertLogReader.preadAll(fd, from: from, count: step) else { break }
            newlines += part.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            tailBytes = part + tailBytes
        }
        let kept = AlertLogReader.dropCutLine(tailBytes[...], fd: fd, at: from)
        let split = AlertLogReader.splitComplete(kept)
        let lines = split.lines
        offset = from + (kept.startIndex - tailBytes.startIndex) + split.consumed
        pending = []
        return lines.suffix(max(0, n)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Complete lines added since the last call (or since `start`).
    public func poll() -> [String] {
        var out: [[UInt8]] = []
        if fd < 0 {
            // Not open yet (absent at start, or gone): read from the start.
            guard openCurrent() else { return [] }
            offset = 0
            pending = []
        }
        var st = stat()
        let pathStat = stat(path, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : nil
        // Truncated in place (copytruncate, or `: > alerts.log`).
        var own = stat()
        if fstat(fd, &own) == 0, Int(own.st_size) < offset {
            offset = 0
            pending = []
        }
        out += readAvailable()
        if let (dev, ino) = pathStat, dev != device || ino != inode {
            // Rotated: the old file was just drained; switch to the new one.
            // A fragment at the end of the old file never completes: drop it.
            close(fd)
            fd = -1
            pending = []
            if openCurrent() {
                offset = 0
                out += readAvailable()
            }
        }
        return out.map { String(decoding: $0, as: UTF8.self) }
    }

    private func openCurrent() -> Bool {
        let newFD = open(path, O_RDONLY | O_CLOEXEC)
        guard newFD >= 0 else { return false }
        var st = stat()
        guard fstat(newFD, &st) == 0 else {
            close(newFD)
            return false
        }
        if fd >= 0 { close(fd) }
        fd = newFD
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        return true
    }

    private func readAvailable() -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while true {
            guard let part = AlertLogReader.preadAll(fd, from: offset, count: chunk), !part.isEmpty else { break }
            offset += part.count
            pending += part
            let split = AlertLogReader.splitComplete(pending[...])
            lines += split.lines
            pending.removeFirst(split.consumed)
            if pending.count > maxLineBytes { pending = [] }
            if part.count < chunk { break }
        }
        return lines
    }
}

/// How `feedwatch tail` shows one alert: a single sanitized line.
public enum AlertDisplay {
    /// `2018-04-10 07:00Z  12.5  Feed name  Title  https://url  (+2 sources)`.
    /// The time is when the alert was raised (`fetched`), in UTC.
    public static func line(_ a: Alert) -> String {
        var time = AlertTimestamp.format(a.fetched)
        // "2018-04-10T07:00:12Z" → "2018-04-10 07:00Z": minutes are enough here.
        if time.count >= 16 { time = String(time.prefix(10)) + " " + String(time.dropFirst(11).prefix(5)) + "Z" }
        let score = a.score.isFinite ? String(format: "%5.1f", a.score) : "    ?"
        var parts = [time, score, clean(a.feed, orElse: "(no feed)"), clean(a.title ?? "", orElse: "(no title)")]
        if let url = a.url { parts.append(clean(url, orElse: "")) }
        if !a.sources.isEmpty {
            parts.append("(+\(a.sources.count) source\(a.sources.count == 1 ? "" : "s"))")
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "  ")
    }

    private static func clean(_ s: String, orElse fallback: String) -> String {
        let t = TerminalSafe.sanitize(s).trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? fallback : t
    }
}
