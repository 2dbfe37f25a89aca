import ArgumentParser

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse feed documents and print the normalized model."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    func run() async throws {
        throw notYetAvailable("parse")
    }
}
