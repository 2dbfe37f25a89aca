import ArgumentParser
import Foundation
import FeedwatchCore
import FeedwatchClassify
import FeedwatchDaemon

/// `feedwatch score [--config PATH] [--keywords PATH] [--explain] [--json] FILE...|-`
/// (CONTRACT.md): scores plain-text, HTML or single-feed-item files with the keyword rules.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score articles against the keyword config.",
        discussion: """
        Each FILE may be plain text (a first line followed by a blank line is taken as the title), \
        HTML (<title>/<h1> as title) or a feed document with an <item>/<entry> (its title and \
        description/content). '-' reads standard input.
        """
    )

    @Option(name: .long, help: "Path to feedwatch.toml (its [daemon] keywords key names the keyword file).")
    var config: String?

    @Option(name: .long, help: "Path to the keyword file (overrides the one named by the config).")
    var keywords: String?

    @Flag(name: .long, help: "Show every match with its positions and how the score was built.")
    var explain = false

    @Flag(name: .long, help: "One JSON object per file, one per line.")
    var json = false

    @Argument(help: "Files to score ('-' for standard input).")
    var files: [String]

    func run() async throws {
        let path: String
        do {
            path = try keywordFile()
        } catch {
            FileHandleStderr.write("\(error)\n")
            throw ExitCode(1)
        }
        let rules: KeywordRules
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            rules = try KeywordRules.load(text: text, file: path)
        } catch let problems as ConfigProblems {
            FileHandleStderr.write(problems.description + "\n")
            throw ExitCode(1)
        } catch {
            FileHandleStderr.write("feedwatch score: cannot read keyword file \(path): \(error.localizedDescription)\n")
            throw ExitCode(1)
        }
        var out = ""
        out.reserveCapacity(4096)
        let stdout = FileHandle.standardOutput
        for file in files {
            let data: Data
            do {
                data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                if json {
                    out += "{\"file\": \(JSONText.quote(file)), \"error\": \(JSONText.quote("cannot read: \(error.localizedDescription)"))}\n"
                } else {
                    out += "\(file): cannot read: \(error.localizedDescription)\n"
                }
                continue
            }
            let doc = ArticleText.extract([UInt8](data))
            let score = rules.score(title: doc.title, body: doc.body)
            out += json ? jsonLine(file, score) : readable(file, score)
            if out.utf8.count > 1 << 16 {
                stdout.write(Data(out.utf8))
                out = ""
            }
        }
        stdout.write(Data(out.utf8))
    }

    /// `--keywords`, else the main config's `[daemon] keywords` (CONTRACT.md "Global").
    func keywordFile() throws -> String {
        if let keywords { return keywords }
        do {
            return try ConfigLocator.keywordsPath(configOption: config)
        } catch {
            // No usable main config and none asked for: the repository default.
            if config == nil, ProcessInfo.processInfo.environment["FEEDWATCH_CONFIG"] == nil,
               FileManager.default.fileExists(atPath: "Config/keywords.toml") {
                return "Config/keywords.toml"
            }
            throw error
        }
    }

    func jsonLine(_ file: String, _ s: Score) -> String {
        var o = "{\"file\": "
        o.reserveCapacity(256 + s.matches.count * 80)
        o += JSONText.quote(file)
        o += ", \"score\": "; o += JSONText.number(s.value)
        o += ", \"threshold\": "; o += JSONText.number(s.threshold)
        o += s.alert ? ", \"alert\": true, \"matches\": [" : ", \"alert\": false, \"matches\": ["
        for (i, m) in s.matches.enumerated() {
            o += i > 0 ? ", {\"term\": " : "{\"term\": "
            o += JSONText.quote(m.term)
            o += ", \"group\": "; o += JSONText.quote(m.group)
            o += ", \"weight\": "; o += JSONText.number(m.weight)
            o += ", \"count\": "; o += String(m.count)
            if explain { o += ", \"positions\": [" + m.positions.map(String.init).joined(separator: ", ") + "]" }
            o += "}"
        }
        o += "]"
        if explain { o += ", \"notes\": [" + s.notes.map(JSONText.quote).joined(separator: ", ") + "]" }
        o += "}\n"
        return o
    }

    func readable(_ file: String, _ s: Score) -> String {
        var o = "\(file): score \(JSONText.number(s.value)) threshold \(JSONText.number(s.threshold)) \(s.alert ? "ALERT" : "no alert")\n"
        for m in s.matches {
            o += "  \(m.term)  [\(m.group), weight \(JSONText.number(m.weight))] ×\(m.count)"
            if explain { o += " at word \(m.positions.map(String.init).joined(separator: ", "))" }
            o += "\n"
        }
        if explain { for n in s.notes { o += "  · \(n)\n" } }
        return Sanitize.terminal(o)
    }
}

/// Keeps terminal control sequences from file names and feed text out of readable output.
fileprivate enum Sanitize {
    static func terminal(_ s: String) -> String {
        var o = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if (u.value < 0x20 && u != "\n" && u != "\t") || (u.value >= 0x7F && u.value < 0xA0) { o.append("\u{FFFD}") } else { o.append(u) }
        }
        return String(o)
    }
}

/// Title and body of a file given to `feedwatch score`: a feed item, an HTML page or plain text.
/// A deliberately simple scan (the real parser is FeedwatchParse, which this command does not use).
fileprivate enum ArticleText {
    struct Doc { var title: String?; var body: String }

    static func extract(_ bytes: [UInt8]) -> Doc {
        // Sniff the head bytewise (ASCII case-insensitive): Foundation string searches
        // cost more than scoring the whole article.
        let head = bytes.prefix(4096).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        func has(_ s: String) -> Bool { find(Array(s.utf8), in: head[...]) != nil }
        let hasMarkup = head.contains(0x3C)
        let isXML = hasMarkup && (has("<?xml") || has("<rss") || has("<feed") || has("<rdf:rdf"))
        if isXML || hasMarkup && ( has("<html") || has("<body") || has("<p>") || has("<div") || has("<!doctype")) {
            let text = String(decoding: bytes, as: UTF8.self)
            if isXML, let item = element(in: text, names: ["item", "entry"]) {
                let title = element(in: item, names: ["title"]).map(xmlText)
                var parts: [String] = []
                for n in ["description", "summary", "content:encoded", "content"] {
                    if let c = element(in: item, names: [n]) { parts.append(xmlText(c)) }
                }
                return Doc(title: title, body: parts.joined(separator: "\n\n"))
            }
            let title = (element(in: text, names: ["title"]) ?? element(in: text, names: ["h1"])).map { HTMLText.plainText($0) }
            return Doc(title: title, body: HTMLText.plainText(text))
        }
        // Plain text: a short first line followed by a blank line is the title.
        let all = bytes[...]
        if let i = find([0x0A, 0x0A], in: all) ?? find([0x0D, 0x0A, 0x0D, 0x0A], in: all) {
            var first = all[..<i]
            while let l = first.last, l == 0x0D || l == 0x20 || l == 0x09 { first = first.dropLast() }
            while let f = first.first, f == 0x20 || f == 0x09 || f == 0x0A || f == 0x0D { first = first.dropFirst() }
            let title = String(decoding: first, as: UTF8.self)
            if !first.isEmpty, !first.contains(0x0A), title.unicodeScalars.count <= 300 {
                let skip = bytes[i] == 0x0D ? 4 : 2
                return Doc(title: title, body: String(decoding: bytes[(i + skip)...], as: UTF8.self))
            }
        }
        return Doc(title: nil, body: String(decoding: bytes, as: UTF8.self))
    }

    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let f = needle.first, hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == f {
                var ok = true
                for k in 1..<needle.count where hay[i + k] != needle[k] { ok = false; break }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    /// Inner text of the first `<name …>…</name>` (case-insensitive), any of `names`.
    static func element(in s: String, names: [String]) -> String? {
        var best: (Range<String.Index>, String)? = nil
        for n in names {
            var search = s.startIndex..<s.endIndex
            while let open = s.range(of: "<\(n)", options: .caseInsensitive, range: search) {
                guard open.upperBound < s.endIndex else { break }
                let next = s[open.upperBound]
                if next == ">" || next == " " || next == "\t" || next == "\n" || next == "/" {
                    if best == nil || open.lowerBound < best!.0.lowerBound { best = (open, n) }
                    break
                }
                search = open.upperBound..<s.endIndex
            }
        }
        guard let (open, n) = best, let gt = s.range(of: ">", range: open.upperBound..<s.endIndex) else { return nil }
        if s[s.index(before: gt.lowerBound)] == "/" { return "" }
        guard let close = s.range(of: "</\(n)", options: .caseInsensitive, range: gt.upperBound..<s.endIndex) else {
            return String(s[gt.upperBound...])
        }
        return String(s[gt.upperBound..<close.lowerBound])
    }

    /// XML element content: CDATA unwrapped, then treated as (possibly escaped) HTML.
    static func xmlText(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "<![CDATA[", with: "").replacingOccurrences(of: "]]>", with: "")
        // Escaped HTML in RSS descriptions: decode once, then strip tags.
        if t.contains("&lt;") { t = HTMLText.plainText(t) }
        return HTMLText.plainText(t)
    }
}
