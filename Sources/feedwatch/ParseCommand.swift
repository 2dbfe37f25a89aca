import ArgumentParser
import Foundation
import FeedwatchParse
import FeedwatchCore

/// `feedwatch parse [--json] FILE...` (CONTRACT.md): one JSON object per file,
/// one per line; exit 1 if any file is not a feed.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse feed documents and print the normalized model.",
        discussion: "Reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x files (gzip-compressed files too)."
    )

    @Option(name: .long, help: "Path to feedwatch.toml (accepted for uniformity; parsing needs no configuration).")
    var config: String?

    @Flag(name: .long, help: "Print the normalized model as one JSON object per file and line.")
    var json = false

    @Option(name: .long, help: "Base URL to resolve relative links against.")
    var baseURL: String?

    @Argument(help: "Feed files to parse.")
    var files: [String]

    func run() throws {
        var failed = false
        var out = StdoutBuffer()
        for file in files {
            let result: Result<ParsedFeed, ParseError>
            if let bytes = readFile(file) {
                do throws(ParseError) {
                    result = .success(try FeedParser.parse(bytes, baseURL: baseURL))
                } catch {
                    result = .failure(error)
                }
            } else {
                result = .failure(.malformed("cannot read file"))
            }
            switch result {
            case .success(let feed):
                if json { out.write(bytes: feed.jsonBytes(file: file)) } else { out.write(summary(feed, file: file)) }
            case .failure(let error):
                failed = true
                out.write(json ? ParsedFeed.jsonError(file: file, error: error) : "\(file): error: \(error)")
            }
        }
        out.flush()
        if failed { throw ExitCode(1) }
    }

    private func summary(_ f: ParsedFeed, file: String) -> String {
        var s = "\(file): \(f.format.rawValue)\(f.bozo ? " (recovered from errors)" : ""), \(f.items.count) items"
        s += "\n  title: \(f.title ?? "-")\n  link: \(f.link ?? "-")"
        if let u = f.updated { s += "\n  updated: \(RFC3339.format(u))" }
        for item in f.items.prefix(5) {
            let date = (item.published ?? item.updated).map(RFC3339.format) ?? "-"
            s += "\n  - \(date)  \(item.title ?? "(untitled)")"
        }
        if f.items.count > 5 { s += "\n  … \(f.items.count - 5) more" }
        return s
    }

    /// Whole file into one array (no intermediate Data copy).
    private func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { break }
            done += n
        }
        if done < out.count { out.removeSubrange(done...) }
        return out
    }
}

/// Line output through one buffer, so thousands of lines cost a few writes.
struct StdoutBuffer {
    private var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func write(bytes line: [UInt8]) {
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        // write(2) on fd 1 directly: no shared C stdio state involved.
        buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Foundation.write(1, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
