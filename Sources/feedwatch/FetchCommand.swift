import ArgumentParser
import Foundation
import FeedwatchCore
import FeedwatchFetch
import FeedwatchDaemon

/// `feedwatch fetch [--etag E] [--last-modified L] [--json] URL` (CONTRACT.md):
/// one fetch through the same `Fetcher` the daemon uses, printed; stores nothing.
///
/// Hidden batch mode for Benchmarks/fetch: `--urls FILE` fetches every line
/// (`URL[<TAB>ETAG[<TAB>LAST-MODIFIED]]`) concurrently and prints one JSON
/// line per URL (bodies are hashed, then discarded).
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch one feed URL exactly as the daemon would, and print the outcome."
    )

    @Option(name: .long, help: "Path to feedwatch.toml.")
    var config: String?

    @Option(name: .long, help: "Send this ETag back verbatim (If-None-Match).")
    var etag: String?

    @Option(name: .customLong("last-modified"), help: "Send this Last-Modified back verbatim (If-Modified-Since).")
    var lastModified: String?

    @Flag(name: .long, help: "Print the outcome as one JSON object.")
    var json = false

    @Flag(name: .customLong("allow-private-networks"),
          help: "Allow redirects from public into loopback/private/link-local addresses.")
    var allowPrivateNetworks = false

    @Option(name: .long, help: ArgumentHelp("Batch mode: fetch every URL in FILE.", visibility: .hidden))
    var urls: String?

    @Option(name: .customLong("max-concurrent"), help: ArgumentHelp("Transfers in flight (default: config).", visibility: .hidden))
    var maxConcurrent: Int?

    @Option(name: .customLong("max-per-host"), help: ArgumentHelp("Transfers in flight per host (default: config).", visibility: .hidden))
    var maxPerHost: Int?

    @Argument(help: "The feed URL.")
    var url: String?

    func validate() throws {
        if urls == nil && url == nil { throw ValidationError("a URL is required") }
        if urls != nil && url != nil { throw ValidationError("give either a URL or --urls, not both") }
        if (maxConcurrent ?? 1) < 1 || (maxPerHost ?? 1) < 1 { throw ValidationError("limits must be at least 1") }
    }

    /// The Fetcher the daemon would build from the same config: the fetch
    /// keys of `[daemon]` applied exactly as FeedwatchDaemon's pipeline
    /// (Pipeline/Engine.swift) applies them. A config given with --config or
    /// FEEDWATCH_CONFIG, or found at a default path, must be valid; with no
    /// config anywhere the built-in defaults are used.
    private func makeFetcher() throws -> Fetcher {
        var config = DaemonConfig.defaults(file: "")
        let path = ConfigLocator.mainConfigPath(option: self.config)
        let explicit = self.config != nil || ProcessInfo.processInfo.environment["FEEDWATCH_CONFIG"] != nil
        if explicit || FileManager.default.fileExists(atPath: path) {
            do {
                config = try DaemonConfig.load(path: path)
            } catch {
                FileHandleStderr.write(error.description + "\n")
                throw ExitCode(1)
            }
        }
        let limits = config.fetchLimits
        return Fetcher(maxConcurrent: maxConcurrent ?? config.maxConcurrent,
                       maxPerHost: maxPerHost ?? config.maxPerHost, limits: limits,
                       allowPrivateNetworks: allowPrivateNetworks || config.allowPrivateNetworks)
    }

    func run() async throws {
        if let urls {
            try await runBatch(file: urls)
            return
        }
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let result = await fetcher.fetch(FetchRequest(url: url!, etag: etag, lastModified: lastModified))
        print(json ? result.jsonLine() : Self.readable(result))
        if result.outcome != .fetched && result.outcome != .notModified { throw ExitCode(1) }
    }

    private func runBatch(file: String) async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            FileHandleStderr.write("feedwatch fetch: cannot read \(file)\n")
            throw ExitCode(1)
        }
        let requests: [FetchRequest] = text.split(separator: "\n").compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let u = cols.first, !u.isEmpty else { return nil }
            func col(_ i: Int) -> String? { cols.count > i && !cols[i].isEmpty ? cols[i] : nil }
            return FetchRequest(url: u, etag: col(1), lastModified: col(2))
        }
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        // Bounded fan-out: keep the engine's queue full without holding one
        // task per URL for 10,000 URLs.
        let window = fetcher.maxConcurrent * 4
        var failures = 0
        var out = ""
        await withTaskGroup(of: (Bool, String).self) { group in
            var next = 0
            func add() {
                let r = requests[next]
                next += 1
                group.addTask {
                    let result = await fetcher.fetch(r)
                    return (result.outcome == .fetched || result.outcome == .notModified, result.jsonLine())
                }
            }
            while next < requests.count && next < window { add() }
            for await (ok, line) in group {
                if !ok { failures += 1 }
                out += line
                out += "\n"
                if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
                if next < requests.count { add() }
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if failures > 0 { throw ExitCode(1) }
    }

    static func readable(_ r: FetchResult) -> String {
        var rows: [(String, String)] = [("url", r.url), ("outcome", r.outcome.rawValue)]
        if let v = r.status { rows.append(("status", String(v))) }
        if let v = r.finalURL, v != r.url { rows.append(("final url", v)) }
        if let v = r.permanentURL { rows.append(("permanent url", v)) }
        if let v = r.etag { rows.append(("etag", v)) }
        if let v = r.lastModified { rows.append(("last-modified", v)) }
        if let v = r.contentType { rows.append(("content-type", v)) }
        if r.outcome == .fetched { rows.append(("bytes", String(r.body.count))) }
        if let v = r.bodyHash { rows.append(("sha256", v)) }
        if let v = r.cacheMaxAgeSeconds { rows.append(("max-age", "\(v) s")) }
        if let v = r.expires { rows.append(("expires", v.description)) }
        if let v = r.retryAfterSeconds { rows.append(("retry after", "\(v) s")) }
        rows.append(("elapsed", "\(r.elapsedMilliseconds) ms"))
        if let e = r.error { rows.append(("error", e.description)) }
        let width = rows.map(\.0.count).max()! + 2
        return rows.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count) + sanitize($0.1) }
            .joined(separator: "\n")
    }

    /// Header values come from a remote server: keep terminal control
    /// sequences out of the operator's terminal.
    static func sanitize(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || ($0.value >= 0x7f && $0.value < 0xa0) ? "?" : Character($0) })
    }
}
