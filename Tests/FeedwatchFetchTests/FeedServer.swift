import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs Tests/Support/feedserver.py on 127.0.0.1 for one test: writes the
/// routes, starts the script, reads the port from its first stdout line, and
/// kills it in deinit. See the script's header for the route keys.
final class FeedServer: @unchecked Sendable {
    // @unchecked: the properties are immutable after init; the Process is
    // only terminated in deinit.
    let port: Int
    let directory: URL
    private let process: Process
    /// Its write end stays open for our lifetime; when this process dies the
    /// server sees EOF on stdin and exits (--exit-on-stdin-eof).
    private let lifeline = Pipe()
    private var routesURL: URL { directory.appendingPathComponent("routes.json") }
    private var logURL: URL { directory.appendingPathComponent("requests.jsonl") }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/feedserver.py").path
    }

    init(routes: [String: [String: Any]]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("feedserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = Process()
        try Self.write(routes, to: directory.appendingPathComponent("routes.json"))
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, "--port", "0",
                             "--routes", directory.appendingPathComponent("routes.json").path,
                             "--log", directory.appendingPathComponent("requests.jsonl").path,
                             "--exit-on-stdin-eof"]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = lifeline
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // EOF: the script died
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8)?.split(separator: "\n").first,
              let p = Int(text) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerError.noPort
        }
        port = p
    }

    deinit {
        // SIGKILL: nothing to clean up in the script, and it cannot be
        // blocked or ignored.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    enum ServerError: Error { case noPort, cannotWriteRoutes }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Replaces the routes (atomic rename, then SIGHUP so even a same-size,
    /// same-mtime rewrite is picked up).
    func setRoutes(_ routes: [String: [String: Any]]) throws {
        let tmp = directory.appendingPathComponent("routes.json.tmp")
        try Self.write(routes, to: tmp)
        guard rename(tmp.path, routesURL.path) == 0 else { throw ServerError.cannotWriteRoutes }
        kill(process.processIdentifier, SIGHUP)
    }

    private static func write(_ routes: [String: [String: Any]], to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: routes, options: [.sortedKeys])
        try data.write(to: url)
    }

    /// Every request logged so far, in arrival order.
    func requests() -> [LoggedRequest] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return LoggedRequest(method: obj["method"] as? String ?? "",
                                 path: obj["path"] as? String ?? "",
                                 headers: obj["headers"] as? [String: String] ?? [:],
                                 time: obj["time"] as? Double ?? 0,
                                 peer: obj["peer"] as? String ?? "")
        }
    }
}

struct LoggedRequest {
    var method: String
    var path: String
    var headers: [String: String]
    var time: Double
    var peer: String

    /// Header lookup ignoring case (RFC 9110 §5.1).
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}
