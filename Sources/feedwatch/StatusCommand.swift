import ArgumentParser
import Foundation
import FeedwatchCore
import FeedwatchDaemon
import FeedwatchStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one row per feed: last fetch, status, errors, next due time, items, alerts."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    @Flag(name: .long, help: "One JSON object per feed and line (CONTRACT.md).")
    var json = false

    func run() async throws {
        let path = ConfigLocator.mainConfigPath(option: config)
        let conf: DaemonConfig
        do {
            conf = try DaemonConfig.load(path: path)
        } catch {
            for p in error.problems { FileHandleStderr.write("\(p)\n") }
            throw ExitCode(1)
        }
        let rows = try FeedStatus.rows(config: conf)
        if json {
            for row in rows { print(row.jsonLine()) }
            return
        }
        let header = ["STATE", "LAST FETCH", "HTTP", "ERR", "NEXT DUE", "ITEMS", "ALERTS", "FEED"]
        var table = [header]
        for r in rows {
            table.append([r.state, r.lastFetch.map(FeedStatus.short) ?? "-", r.lastStatus.map(String.init) ?? "-",
                          String(r.consecutiveErrors), r.nextDue.map(FeedStatus.short) ?? "-", String(r.itemsSeen),
                          String(r.alerts), (r.name.map { "\($0) " } ?? "") + "<\(r.url)>"
                          + (r.lastError.map { "  \($0)" } ?? "")])
        }
        let widths = (0..<header.count - 1).map { c in table.map { $0[c].count }.max() ?? 0 }
        for row in table {
            var line = ""
            for (c, cell) in row.enumerated() {
                line += c < widths.count ? cell.padding(toLength: widths[c] + 2, withPad: " ", startingAt: 0) : cell
            }
            print(line)
        }
    }
}
