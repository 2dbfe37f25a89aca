import Foundation
import Logging
import Testing
@testable import FeedwatchDaemon
#if canImport(Glibc)
import Glibc
#endif

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class NotifyListener {
    let fd: Int32
    let name: String // as NOTIFY_SOCKET would hold it
    private let dir: String?

    /// `abstract`: bind in the abstract namespace (`@name`) instead of a path.
    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if abstract {
            dir = nil
            name = "@fwtest-notify-\(UUID().uuidString)"
            bytes = Array(name.utf8)
            bytes[0] = 0
        } else {
            let d = NSTemporaryDirectory() + "/fw-notify-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            dir = d
            name = d + "/notify.sock"
            bytes = Array(name.utf8)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        #expect(rc == 0, "bind failed: \(String(cString: strerror(errno)))")
        // Never hang a test: a missing datagram fails after 5 s.
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { return nil }
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    deinit {
        close(fd)
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }
}

@Suite struct SDNotifyTests {
    @Test(arguments: [false, true])
    func sendsDatagramsToPathAndAbstractSockets(abstract: Bool) throws {
        let listener = try NotifyListener(abstract: abstract)
        let notify = try #require(SDNotify.fromEnvironment(["NOTIFY_SOCKET": listener.name], pid: getpid()))
        #expect(notify.send("READY=1"))
        #expect(listener.receive() == "READY=1")
        #expect(notify.status("3 feeds\nWATCHDOG=1"))
        #expect(listener.receive() == "STATUS=3 feeds WATCHDOG=1")
        #expect(notify.reloading())
        let reload = try #require(listener.receive())
        let lines = reload.split(separator: "\n")
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(UInt64(lines.last?.dropFirst("MONOTONIC_USEC=".count) ?? ""))
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(usec <= SDNotify.monotonicMicroseconds() && usec > 0)
        #expect(notify.send("STOPPING=1"))
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func sendFailsQuietlyWithoutAListener() {
        let notify = SDNotify(socketPath: NSTemporaryDirectory() + "/fw-no-such-socket-\(UUID().uuidString)")
        #expect(notify.send("READY=1") == false)
    }

    @Test func environmentParsing() {
        #expect(SDNotify.fromEnvironment([:], pid: 100) == nil)
        #expect(SDNotify.fromEnvironment(["NOTIFY_SOCKET": ""], pid: 100) == nil)
        #expect(SDNotify.fromEnvironment(["NOTIFY_SOCKET": "relative/sock"], pid: 100) == nil)
        #expect(SDNotify.fromEnvironment(["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)], pid: 100) == nil)
        let plain = SDNotify.fromEnvironment(["NOTIFY_SOCKET": "/run/systemd/notify"], pid: 100)
        #expect(plain?.socketPath == "/run/systemd/notify")
        #expect(plain?.watchdogInterval == nil)
    }

    @Test func watchdogIntervalIsHalfTheTimeoutAndOnlyForUs() {
        let base = ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "60000000"]
        #expect(SDNotify.fromEnvironment(base, pid: 100)?.watchdogInterval == .seconds(30))
        #expect(SDNotify.fromEnvironment(base.merging(["WATCHDOG_PID": "100"]) { $1 }, pid: 100)?.watchdogInterval == .seconds(30))
        #expect(SDNotify.fromEnvironment(base.merging(["WATCHDOG_PID": "99"]) { $1 }, pid: 100)?.watchdogInterval == nil)
        #expect(SDNotify.fromEnvironment(base.merging(["WATCHDOG_USEC": "0"]) { $1 }, pid: 100)?.watchdogInterval == nil)
        #expect(SDNotify.fromEnvironment(base.merging(["WATCHDOG_USEC": "soon"]) { $1 }, pid: 100)?.watchdogInterval == nil)
        #expect(SDNotify.fromEnvironment(base.merging(["WATCHDOG_USEC": "1001"]) { $1 }, pid: 100)?.watchdogInterval == .microseconds(500))
    }
}

final class LineSink: @unchecked Sendable { // @unchecked: guarded by lock
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ s: String) { lock.withLock { stored.append(s) } }
}

@Suite struct FeedwatchLogHandlerTests {
    func logger(_ style: FeedwatchLogHandler.Style, level: Logger.Level = .info) -> (Logger, LineSink) {
        let sink = LineSink()
        let handler = FeedwatchLogHandler(label: "feedwatch.test", level: level, style: style) { sink.append($0) }
        return (Logger(label: "feedwatch.test") { _ in handler }, sink)
    }

    @Test func journalLinesCarryPriorityPrefixes() {
        var (log, sink) = logger(.journal, level: .debug)
        log[metadataKey: "component"] = "scheduler"
        log.error("fetch failed", metadata: ["feed": "https://example.org/rss", "status": "503"])
        log.warning("feed gone")
        log.info("reloaded")
        log.debug("tick")
        log.critical("store unusable")
        #expect(sink.lines == [
            "<3>fetch failed component=scheduler feed=https://example.org/rss status=503\n",
            "<4>feed gone component=scheduler\n",
            "<6>reloaded component=scheduler\n",
            "<7>tick component=scheduler\n",
            "<2>store unusable component=scheduler\n",
        ])
    }

    @Test func levelFilters() {
        let (log, sink) = logger(.journal, level: .warning)
        log.info("not shown")
        log.debug("not shown")
        log.warning("shown")
        #expect(sink.lines == ["<4>shown\n"])
    }

    @Test func terminalLinesAreTimestampedAndReadable() throws {
        let (log, sink) = logger(.terminal)
        log.notice("started", metadata: ["feeds": "12"])
        let line = try #require(sink.lines.first)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z notice started feeds=12\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test func hostileValuesCannotForgeLinesOrEscapeSequences() throws {
        let (log, sink) = logger(.journal)
        log.info("item", metadata: ["title": "a\n<0>forged emergency \u{1B}[2J \"q\" \u{202E}x", "empty": ""])
        let line = try #require(sink.lines.first)
        #expect(line == #"<6>item empty="" title="a\n<0>forged emergency \u{1b}[2J \"q\" \u{202e}x""# + "\n")
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(!line.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test func styleDetectionMatchesStderrAgainstJournalStream() {
        var st = stat()
        #expect(fstat(2, &st) == 0)
        #expect(FeedwatchLogHandler.detectStyle(environment: [:]) == .terminal)
        #expect(FeedwatchLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]) == .journal)
        #expect(FeedwatchLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino &+ 1)"]) == .terminal)
        #expect(FeedwatchLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "garbage"]) == .terminal)
    }

    @Test func levelNames() {
        #expect(FeedwatchLogging.level(named: "debug") == .debug)
        #expect(FeedwatchLogging.level(named: "WARN") == .warning)
        #expect(FeedwatchLogging.level(named: "err") == .error)
        #expect(FeedwatchLogging.level(named: "loud") == nil)
    }
}
