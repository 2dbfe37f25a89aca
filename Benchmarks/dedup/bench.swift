// Throughput of FeedwatchDedup's pure functions, compiled together with the
// module's sources by run.sh (no package product needed). Not a test: timing
// lives in Benchmarks/, per DESIGN.md.
import Foundation

struct Article: Decodable { var id: String; var title: String?; var text: String; var published: String? }

@main struct Bench {
    static func main() throws {
        let fixtures = URL(fileURLWithPath: CommandLine.arguments[1])
        let iso = ISO8601DateFormatter()
        let arts = try String(contentsOf: fixtures.appendingPathComponent("articles.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(Article.self, from: Data($0.utf8)) }
        let inputs = arts.map { ($0.title, $0.text, $0.published.flatMap { iso.date(from: $0) }) }
        let words = arts.reduce(0) { $0 + $1.text.split(separator: " ").count }
        let rounds = 20

        // Process CPU time, not wall time: the build machines are shared,
        // and CPU time is far less sensitive to other jobs' load.
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        func time(_ body: () -> Void) -> Double {
            let t = cpu(); body(); return cpu() - t
        }

        var prints: [StoryFingerprint] = []
        let tf = time {
            for _ in 0..<rounds { prints = inputs.map { StoryGrouping.fingerprint(title: $0.0, text: $0.1, published: $0.2) } }
        }
        let nf = Double(rounds * inputs.count)
        print(String(format: "fingerprint: %d articles (avg %.0f words) x %d: %.1f us/article, %.0f articles/s (CPU time, one core)",
                     inputs.count, Double(words) / Double(arts.count), rounds, tf / nf * 1e6, nf / tf))

        let long = arts.filter { $0.id.hasPrefix("seed") && !$0.id.contains("~") }
        let longWords = long.reduce(0) { $0 + $1.text.split(separator: " ").count } / max(1, long.count)
        let tl = time {
            for _ in 0..<rounds { for a in long { _ = StoryGrouping.fingerprint(title: a.title, text: a.text, published: nil) } }
        }
        print(String(format: "fingerprint, long articles (the 5 seeds, avg %d words): %.1f us/article",
                     longWords, tl / Double(rounds * long.count) * 1e6))

        var same = 0
        let ts = time {
            for a in prints { for b in prints where StoryGrouping.sameStory(a, b) { same += 1 } }
        }
        let ns = Double(prints.count * prints.count)
        print(String(format: "sameStory: %.0f pairs: %.3f us/pair (%d same)", ns, ts / ns * 1e6, same))

        let cands = prints.enumerated().map { (storyID: "s\($0.offset % 97)", fingerprint: $0.element) }
        var hits = 0
        let tb = time { for f in prints.prefix(100) where StoryGrouping.bestMatch(for: f, among: cands) != nil { hits += 1 } }
        print(String(format: "bestMatch among %d candidates: %.1f us/call", cands.count, tb / 100 * 1e6))

        let urls = (0..<20_000).map { "HTTPS://News.Example.ORG:443/world/asia/2024/06/19/story-\($0).html?utm_source=rss&id=\($0)&fbclid=abc#comments" }
        var total = 0
        let tu = time { for u in urls { total += CanonicalURL.canonical(u)?.utf8.count ?? 0 } }
        print(String(format: "CanonicalURL.canonical: %.2f us/url", tu / Double(urls.count) * 1e6))

        let items = (0..<20_000).map { IdentityInput(guid: "tag:example.org,2024:\($0 % 50)", link: "https://example.org/a/\($0)", title: "Title \($0)", published: nil) }
        let ti = time { total += ItemIdentity.identities(for: items).count }
        print(String(format: "ItemIdentity.identities: %.2f us/item", ti / Double(items.count) * 1e6))

        let enc = prints.map { $0.encoded().count }
        print(String(format: "encoded fingerprint: avg %.0f bytes, max %d", Double(enc.reduce(0, +)) / Double(enc.count), enc.max() ?? 0))
        if total == 42 { print("") }  // keep results alive
    }
}
