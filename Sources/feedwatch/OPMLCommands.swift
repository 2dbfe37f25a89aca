import ArgumentParser
import Foundation
import FeedwatchCore
import FeedwatchDaemon

struct ImportOPMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Add the feeds of an OPML file to the config (feeds already configured are skipped)."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    @Argument(help: "The OPML file.")
    var file: String

    func run() async throws {
        let path = ConfigLocator.mainConfigPath(option: config)
        let current: DaemonConfig
        do {
            current = try DaemonConfig.load(path: path)
        } catch {
            for p in error.problems { FileHandleStderr.write("\(p)\n") }
            throw ExitCode(1)
        }
        let entries: [OPML.Entry]
        do {
            entries = try OPML.entries(from: try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            FileHandleStderr.write("\(file): \(error)\n")
            throw ExitCode(1)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (updated, added) = OPML.appendFeeds(entries, to: text, existing: current.feeds)
        // Never write a file that would not load.
        do {
            _ = try DaemonConfig.parse(text: updated, file: path)
        } catch {
            for p in error.problems { FileHandleStderr.write("\(p)\n") }
            throw ExitCode(1)
        }
        if !added.isEmpty {
            try updated.write(toFile: path, atomically: true, encoding: .utf8)
        }
        print("\(added.count) feeds added to \(path) (\(entries.count - added.count) already present or not http(s))")
        if !added.isEmpty { print("run `feedwatch check` and `systemctl reload feedwatch` to start polling them") }
    }
}

struct ExportOPMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-opml",
        abstract: "Print the configured feeds as OPML 2.0."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    func run() async throws {
        let path = ConfigLocator.mainConfigPath(option: config)
        do {
            print(OPML.export(try DaemonConfig.load(path: path).feeds), terminator: "")
        } catch {
            for p in error.problems { FileHandleStderr.write("\(p)\n") }
            throw ExitCode(1)
        }
    }
}
