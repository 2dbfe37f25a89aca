import ArgumentParser
import FeedwatchAlert
import FeedwatchCore
import FeedwatchDaemon
import Foundation

/// `feedwatch tail [-f] [-n N] [--json]` (CONTRACT.md): the newest alerts of
/// the alert log, one line each; `-f` follows the log across rotation like
/// `tail -F`. Everything printed is sanitized: feed text is written by
/// strangers and must never reach the terminal as control sequences.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the newest alerts from the alert log.",
        discussion: """
            Each alert is shown as one line: time raised (UTC), score, feed, title, URL. \
            With --json the log's JSON lines are printed as they are (control characters \
            escaped). The log is --alert-log if given, else [daemon] alert_log of the config.
            """
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    @Option(name: .long, help: "Read this alert log instead of the one named in the config.")
    var alertLog: String?

    @Flag(name: [.customShort("f"), .long], help: "Keep printing new alerts as they arrive; survives log rotation.")
    var follow = false

    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many of the newest alerts to print.")
    var count = 10

    @Flag(name: .long, help: "Print the alerts' JSON lines instead of readable lines.")
    var json = false

    @Option(name: .long, help: .hidden)
    var pollInterval = 0.5

    func validate() throws {
        guard count >= 0 else { throw ValidationError("-n must be 0 or more") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
    }

    func run() async throws {
        let path = try resolveAlertLog()
        let follower = AlertLogFollower(path: path)
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !follow {
            // No alert yet is not an error: the daemon creates the log on its first alert.
            FileHandleStderr.write("feedwatch tail: \(path): no alerts yet (file does not exist)\n")
            return
        }
        // Ask for more raw lines than wanted so fragments and foreign lines
        // (which are skipped) do not shorten the output.
        let initial = follower.start(lastLines: count == 0 ? 0 : count + 64)
        emit(Array(initial.compactMap(render).suffix(count)))
        guard follow else { return }
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(Int(pollInterval * 1000)))
            emit(follower.poll().compactMap(render))
        }
    }

    /// One printable line for a log line, or nil for a line that is not an
    /// alert (a fragment left by a crash, a foreign line).
    private func render(_ line: String) -> String? {
        guard let alert = AlertJSON.decode(line) else { return nil }
        return json ? TerminalSafe.escapeJSON(line) : AlertDisplay.line(alert)
    }

    private func emit(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        // One write per batch, unbuffered, so `tail -f | grep` sees alerts at once.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// `--alert-log`, else `[daemon] alert_log` of the main config (found as
    /// CONTRACT.md "Global" says). An invalid config is reported as
    /// `FILE:LINE: message` lines and exit status 1.
    private func resolveAlertLog() throws -> String {
        if let alertLog { return alertLog }
        let configPath = ConfigLocator.mainConfigPath(option: config)
        do {
            return try DaemonConfig.load(path: configPath).alertLog
        } catch {
            FileHandleStderr.write(error.description + "\n")
            throw ExitCode(1)
        }
    }
}
