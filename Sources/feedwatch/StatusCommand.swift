import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one row per feed: last fetch, status, errors, next due time."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    func run() async throws {
        throw notYetAvailable("status")
    }
}
