import ArgumentParser

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (or one pass with --once)."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    func run() async throws {
        throw notYetAvailable("run")
    }
}
