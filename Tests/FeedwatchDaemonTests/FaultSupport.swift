import Foundation
import Logging
import Testing
import FeedwatchStore
@testable import FeedwatchDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers of the fault-injection suites (issue 7): healthy feeds whose
/// alerts must all arrive, a config with short timeouts, the binary run under
/// a peak-memory probe, tmpfs mounts, a log capture and integrity checks.
enum Faults {
    struct Event: Decodable { var title: String; var text: String }

    static func events() throws -> [Event] {
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Tests/FeedwatchDaemonTests/Fixtures/events.json"))
        return try JSONDecoder().decode([Event].self, from: data)
    }

    /// Events carried by the healthy feeds: three different stories.
    static let healthyEvents = [0, 4, 6]

    /// `/h0.xml` … `/h2.xml`: one relevant event each plus irrelevant filler,
    /// with ETags so a second pass is all 304.
    static func healthyRoutes(now: Date) throws -> [String: Any] {
        let ev = try events()
        var routes: [String: Any] = [:]
        for (i, e) in healthyEvents.enumerated() {
            let items = [
                TestItem(title: ev[e].title, text: ev[e].text, link: "https://healthy\(i).example/story/\(e)",
                         published: now.addingTimeInterval(-1800)),
                TestItem(title: "Harbour festival \(i) opens", text: "Boats, music and food stalls at the harbour festival \(i).",
                         link: "https://healthy\(i).example/local/festival", published: now.addingTimeInterval(-600)),
                TestItem(title: "Library \(i) extends opening hours", text: "The district library \(i) now opens on Sundays.",
                         link: "https://healthy\(i).example/local/library", published: now.addingTimeInterval(-900)),
            ]
            routes["/h\(i).xml"] = ["body": rssFeed(title: "Healthy \(i)", items: items), "etag": "\"h\(i)-v1\""]
        }
        return routes
    }

    static let healthyPaths = ["/h0.xml", "/h1.xml", "/h2.xml"]

    /// A server with the healthy feeds, its files under `root/srv`.
    static func healthyServer(_ root: URL) throws -> TestFeedServer {
        try TestFeedServer(routes: try healthyRoutes(now: Date()), directory: root.appendingPathComponent("srv"))
    }

    /// The daemon binary the process-level fault tests start; records an
    /// issue (and the test returns) when it was not built.
    static func binaryBuilt() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("feedwatch binary not built at \(binary)")
            return false
        }
        return true
    }

    /// A config with short network limits so a misbehaving server costs seconds.
    static func configText(feeds: [String], stateDir: String = "state", spoolDir: String = "spool",
                           alertLog: String = "log/alerts.log", extra: String = "") -> String {
        var t = """
        [daemon]
        state_dir = "\(stateDir)"
        spool_dir = "\(spoolDir)"
        alert_log = "\(alertLog)"
        keywords = "\(repoRoot.path)/Config/keywords.toml"
        per_host_delay = "0s"
        min_interval = "1s"
        max_concurrent = 8
        max_per_host = 8
        alert_backlog = "0"
        timeout = "3s"
        connect_timeout = "1s"
        max_body_size = "1MiB"
        \(extra)
        """
        for f in feeds { t += "\n[[feed]]\nurl = \"\(f)\"\n" }
        return t + "\n"
    }

    @discardableResult
    static func writeConfig(dir: URL, feeds: [String], stateDir: String = "state", spoolDir: String = "spool",
                            alertLog: String = "log/alerts.log", extra: String = "") throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("feedwatch.toml").path
        try configText(feeds: feeds, stateDir: stateDir, spoolDir: spoolDir, alertLog: alertLog, extra: extra)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func engine(configPath: String, logger: Logger = Logger(label: "fault-test")) throws -> Engine {
        let bundle = try ConfigBundle.load(configPath: configPath)
        return try Engine(config: bundle.config, rules: bundle.rules, logger: logger)
    }

    // MARK: outcome

    /// Alert ids in the log (parseable lines only: a fragment left by a full
    /// disk is not an alert) and spool file names (new/ and cur/).
    static func logIDs(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    static func logTitles(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["title"] as? String
        }
    }

    static func spoolNames(_ dir: String) -> [String] {
        let fm = FileManager.default
        return (((try? fm.contentsOfDirectory(atPath: dir + "/new")) ?? []) + ((try? fm.contentsOfDirectory(atPath: dir + "/cur")) ?? []))
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    // MARK: processes

    static var binary: String { CrashSafetyTests.binary }

    struct RunResult { var status: Int32; var maxRSSKiB: Int; var output: String }

    /// Runs `feedwatch ARGS` under a python3 wrapper that reports the child's
    /// peak resident set (getrusage RUSAGE_CHILDREN ru_maxrss, KiB).
    static func runMeasured(_ args: [String], dir: URL) throws -> RunResult {
        let wrapper = """
        import resource, subprocess, sys
        with open(sys.argv[1], 'wb') as out:
            r = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
        print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        """
        let outFile = dir.appendingPathComponent("run-\(UUID().uuidString.prefix(6)).out")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", wrapper, outFile.path, binary] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let fields = (String(data: data, encoding: .utf8) ?? "").split(whereSeparator: \.isWhitespace)
        let output = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        guard fields.count == 2, let rc = Int32(fields[0]), let rss = Int(fields[1]) else {
            return RunResult(status: -999, maxRSSKiB: 0, output: output)
        }
        return RunResult(status: rc, maxRSSKiB: rss, output: output)
    }

    /// `PRAGMA integrity_check` through python3's sqlite3 (the sqlite3 CLI is
    /// not installed everywhere).
    static func integrityCheck(_ dbPath: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c",
                       "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(';'.join(r[0] for r in c.execute('PRAGMA integrity_check')))",
                       dbPath]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return "python3 failed: \(error)" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(data: data, encoding: .utf8) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: tmpfs

    @discardableResult
    static func shell(_ path: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func mountTmpfs(_ dir: URL, size: String) -> Bool {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return shell("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", dir.path]) == 0
    }

    static func unmount(_ dir: URL) {
        shell("/bin/umount", ["-l", dir.path])
    }

    /// Whether this machine lets the tests mount a tmpfs (root in CI). Probed
    /// once; the disk-full tests are skipped, saying why, when it cannot.
    static let canMountTmpfs: Bool = {
        let dir = temporaryDirectory("mount-probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        guard mountTmpfs(dir, size: "16k") else { return false }
        unmount(dir)
        return true
    }()

    /// Writes 1 KiB blocks to `path` until the file system refuses (ENOSPC);
    /// returns the bytes written.
    static func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x55, count: 1024)
        var total = 0
        while true {
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            total += n
        }
        // Single bytes into the last partial block too.
        var one: UInt8 = 0x55
        while write(fd, &one, 1) == 1 { total += 1 }
        return total
    }

    /// Starts `feedwatch run` (the daemon) on `configPath`, stderr to
    /// `dir/stderr.log`; with `notifySocket`, it talks sd_notify there and
    /// expects a watchdog ping every `watchdogUSec`/2. The caller kills it.
    static func startDaemon(configPath: String, dir: URL, notifySocket: String? = nil,
                            watchdogUSec: Int? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configPath, "--log-level", "warning"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notifySocket
        env["WATCHDOG_USEC"] = watchdogUSec.map(String.init)
        env.removeValue(forKey: "WATCHDOG_PID")
        env.removeValue(forKey: "JOURNAL_STREAM")
        process.environment = env
        let stderrURL = dir.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Another process (python3's sqlite3) takes the database's write lock
    /// (`BEGIN EXCLUSIVE`) and holds it for `seconds`; returns once it holds it.
    static func lockDatabase(_ path: String, seconds: Int) throws -> Process {
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN EXCLUSIVE')
            print('locked', flush=True)
            time.sleep(\(seconds))
            c.execute('ROLLBACK')
            """, path]
        let out = Pipe()
        locker.standardOutput = out
        try locker.run()
        _ = out.fileHandleForReading.availableData   // "locked"
        return locker
    }

    /// Prints one summary line per case (visible in `swift test` output) so
    /// the closing note can count injected faults and verified alerts.
    static func summary(_ name: String, injected: Int, alertsVerified: Int, _ extra: String = "") {
        print("FAULT-SUMMARY case=\(name) injected_faults=\(injected) alerts_verified=\(alertsVerified)\(extra.isEmpty ? "" : " " + extra)")
    }
}

/// Captures log messages (message + metadata) for assertions.
final class LogCapture: @unchecked Sendable { // @unchecked: `entries` only under `lock`
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String, metadata: String)] = []

    var all: [(level: Logger.Level, message: String, metadata: String)] { lock.withLock { entries } }
    func count(_ message: String) -> Int { all.filter { $0.message == message }.count }
    func append(_ level: Logger.Level, _ message: String, _ metadata: String) {
        lock.withLock { entries.append((level, message, metadata)) }
    }

    var logger: Logger {
        Logger(label: "fault-capture") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            capture.append(event.level, "\(event.message)", meta)
        }
    }
}

/// A loopback HTTP server that streams a huge body (default 1 GB) without
/// holding it in memory, and logs how many body bytes each connection took
/// before the client hung up. feedserver.py builds `repeat_body_bytes` bodies
/// in memory, which is fine for tens of MB but not for a gigabyte.
final class HugeBodyServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let logURL: URL

    static let source = """
    import os, signal, socket, sys, threading
    # Foundation's Process on Linux passes the spawning thread's blocked
    # signal mask on: unblock, or SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))
    total = int(sys.argv[1]); log = sys.argv[2]
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', 0)); srv.listen(16)
    print(srv.getsockname()[1], flush=True)
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>'
    chunk = b'<!--' + b'x' * (65536 - 7) + b'-->'
    def serve(c):
        sent = 0
        try:
            c.recv(65536)
            c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/rss+xml\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n' % total)
            c.sendall(head); sent = len(head)
            while sent < total:
                n = min(len(chunk), total - sent)
                c.sendall(chunk[:n]); sent += n
        except OSError:
            pass
        finally:
            with open(log, 'a') as f:
                f.write('%d\\n' % sent)
            c.close()
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """

    init(totalBytes: Int, directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logURL = directory.appendingPathComponent("huge-sent.log")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.source, String(totalBytes), logURL.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let p = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw NSError(domain: "HugeBodyServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start"])
        }
        port = p
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Body bytes each finished connection sent.
    func sent() -> [Int] {
        ((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
    }

    deinit {
        if process.isRunning {
            // SIGKILL: a stuck sender thread must not hang the test run.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
