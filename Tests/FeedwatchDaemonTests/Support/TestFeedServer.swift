import Foundation

/// Starts Tests/Support/feedserver.py on 127.0.0.1 (a free port) for one test
/// and kills it when released. Routes are written as JSON; the server re-reads
/// them when the file changes.
final class TestFeedServer: @unchecked Sendable {
    let process = Process()
    let stdinPipe = Pipe()
    let directory: URL
    let port: Int
    var routesURL: URL { directory.appendingPathComponent("routes.json") }
    var logURL: URL { directory.appendingPathComponent("requests.jsonl") }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Support/feedserver.py")

    init(routes: [String: Any], directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: routes).write(to: directory.appendingPathComponent("routes.json"))
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--port", "0", "--routes",
                             directory.appendingPathComponent("routes.json").path,
                             "--log", directory.appendingPathComponent("requests.jsonl").path,
                             "--exit-on-stdin-eof"]
        // The server exits when this pipe closes — also when the test run is killed.
        process.standardInput = stdinPipe
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // First stdout line: the bound port.
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8),
              let p = Int(text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? "") else {
            process.terminate()
            throw NSError(domain: "TestFeedServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start"])
        }
        port = p
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func setRoutes(_ routes: [String: Any]) throws {
        let tmp = directory.appendingPathComponent("routes.json.tmp")
        try JSONSerialization.data(withJSONObject: routes).write(to: tmp)
        // rename(2): the server never sees a half-written routes file.
        guard rename(tmp.path, routesURL.path) == 0 else {
            throw NSError(domain: "TestFeedServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "rename failed"])
        }
    }

    /// Requests logged so far (method, path, headers).
    func requests() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: logURL), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func requests(path: String) -> [[String: Any]] {
        requests().filter { ($0["path"] as? String) == path }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// A fresh temporary directory per test.
func temporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("feedwatch-tests-\(name)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

struct TestItem {
    var title: String
    var text: String
    var link: String
    var published: Date
    var guid: String? = nil
}

func rssFeed(title: String, items: [TestItem]) -> String {
    let fmt = DateFormatter()
    fmt.locale = Locale(identifier: "en_US_POSIX")
    fmt.timeZone = TimeZone(identifier: "UTC")
    fmt.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>\(xmlEscape(title))</title><link>http://example.org/</link><description>test</description>\n"
    for i in items {
        out += "<item><title>\(xmlEscape(i.title))</title><link>\(xmlEscape(i.link))</link>"
        if let g = i.guid { out += "<guid isPermaLink=\"false\">\(xmlEscape(g))</guid>" }
        out += "<pubDate>\(fmt.string(from: i.published))</pubDate><description>\(xmlEscape(i.text))</description></item>\n"
    }
    return out + "</channel></rss>\n"
}

func atomFeed(title: String, items: [TestItem]) -> String {
    var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>\(xmlEscape(title))</title><id>urn:test:\(xmlEscape(title))</id><updated>2026-01-01T00:00:00Z</updated>\n"
    for i in items {
        let d = ISO8601DateFormatter().string(from: i.published)
        out += "<entry><title>\(xmlEscape(i.title))</title><link href=\"\(xmlEscape(i.link))\"/><id>\(xmlEscape(i.guid ?? i.link))</id><updated>\(d)</updated><published>\(d)</published><summary type=\"text\">\(xmlEscape(i.text))</summary></entry>\n"
    }
    return out + "</feed>\n"
}

func seedText(_ prefix: String) throws -> String {
    let dir = repoRoot.appendingPathComponent("seeds")
    let name = try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasPrefix(prefix) }!
    return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
}
