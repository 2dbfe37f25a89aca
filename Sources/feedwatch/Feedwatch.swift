import ArgumentParser
import Foundation
import FeedwatchCore

/// `feedwatch` — the one executable (CONTRACT.md, "Binary and subcommands").
/// Each subcommand lives in its own file in this folder.
@main
struct Feedwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedwatch",
        abstract: "Watch news feeds for North Korea–Russia relations and raise alerts.",
        version: FeedwatchVersion.string,
        subcommands: [
            RunCommand.self, CheckCommand.self, ScoreCommand.self, FetchCommand.self,
            ParseCommand.self, TailCommand.self, StatusCommand.self, ImportOPMLCommand.self, ExportOPMLCommand.self,
        ]
    )
}

/// Exit status 2 with a message, for commands whose issue has not landed yet:
/// never pretend to work.
func notYetAvailable(_ name: String) -> ExitCode {
    FileHandleStderr.write("feedwatch \(name): not yet available in this build\n")
    return ExitCode(2)
}

enum FileHandleStderr {
    static func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
