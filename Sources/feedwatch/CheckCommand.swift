import ArgumentParser
import FeedwatchCore
import FeedwatchDaemon

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and keyword files; print every problem as FILE:LINE: message.",
        discussion: "Exit status 0 when both files are valid, 1 otherwise."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    func run() async throws {
        let path = ConfigLocator.mainConfigPath(option: config)
        do {
            let bundle = try ConfigBundle.load(configPath: path)
            print("\(path): ok (\(bundle.config.feeds.count) feeds)")
            print("\(bundle.config.keywordsFile): ok (\(bundle.rules.termCount) terms, threshold \(bundle.rules.threshold))")
        } catch {
            for p in error.problems { print(p.description) }
            throw ExitCode(1)
        }
    }
}
