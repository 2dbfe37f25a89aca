import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import FeedwatchCore
import FeedwatchDaemon

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (or one pass with --once).",
        discussion: """
        Without --once: polls every configured feed on its schedule until SIGTERM/SIGINT; \
        SIGHUP reloads the config and keyword files; speaks sd_notify when NOTIFY_SOCKET is set.
        With --once: fetches every feed that is due (all with --all), processes, delivers alerts, exits.
        """
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    @Flag(name: .long, help: "Run one pass and exit.")
    var once = false

    @Flag(name: .long, help: "With --once: fetch every feed, not only those due.")
    var all = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        if !once { HeapTrim.limitArenas(2) }
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        FeedwatchLogging.bootstrap(level: level)
        let logger = Logger(label: "feedwatch")
        let path = ConfigLocator.mainConfigPath(option: config)
        let bundle: ConfigBundle
        do {
            bundle = try ConfigBundle.load(configPath: path)
        } catch {
            for p in error.problems { FileHandleStderr.write("\(p)\n") }
            throw ExitCode(1)
        }
        let engine: Engine
        do {
            engine = try Engine(config: bundle.config, rules: bundle.rules, logger: logger)
        } catch {
            FileHandleStderr.write("feedwatch: \(error)\n")
            throw ExitCode(1)
        }

        if once {
            let due = try engine.dueFeeds(now: Date(), all: all)
            let reports = await engine.runPass(due)
            var alerts = 0, errors = 0
            for r in reports.sorted(by: { $0.url < $1.url }) {
                alerts += r.alerts
                if r.error != nil { errors += 1 }
                let status = r.status.map(String.init) ?? "-"
                let detail = r.error.map { "  \($0)" } ?? ""
                print("\(r.outcome.padding(toLength: 12, withPad: " ", startingAt: 0)) \(status.padding(toLength: 4, withPad: " ", startingAt: 0)) new=\(r.newArticles) alerts=\(r.alerts)  \(r.url)\(detail)")
            }
            print("pass: \(reports.count) feeds polled, \(errors) failed, \(alerts) alerts")
            return
        }

        let service = DaemonService(engine: engine, configPath: path, notify: SDNotify.fromEnvironment(), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
