import Foundation
import Testing
import FeedwatchClassify
import FeedwatchParse
import FeedwatchStore
@testable import FeedwatchDaemon

/// The edit detector: any change to an item's fields changes its hash, and
/// articles stored with the previous hash ("f1:") are not taken for edited.
@Suite struct ContentHashTests {
    @Test func everyOneByteEditChangesTheHash() {
        var rng = SystemRandomNumberGenerator()
        let text = String(repeating: "Pyongyang and Moscow sign a treaty. ", count: 7)   // 252 bytes: words and a tail
        let base = ArticleProcessor.contentHash("Title", text, "https://example.org/a")
        #expect(base.hasPrefix("f2:"))
        #expect(base == ArticleProcessor.contentHash("Title", text, "https://example.org/a"))
        var seen: Set<String> = [base]
        for _ in 0..<300 {
            var bytes = Array(text.utf8)
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[i] = bytes[i] == 0x41 ? 0x42 : 0x41
            let edited = String(decoding: bytes, as: UTF8.self)
            let h = ArticleProcessor.contentHash("Title", edited, "https://example.org/a")
            #expect(h != base, "edit at byte \(i)")
            seen.insert(h)
        }
        // Text moved between fields, or a field emptied, is an edit too.
        #expect(ArticleProcessor.contentHash("ab", "c", nil) != ArticleProcessor.contentHash("a", "bc", nil))
        #expect(ArticleProcessor.contentHash(nil, "x", nil) != ArticleProcessor.contentHash("x", "", nil))
        #expect(ArticleProcessor.contentHash("", "", nil) != ArticleProcessor.contentHash("", "\0", nil))
    }

    @Test func articleStoredWithTheOldHashIsNotEdited() throws {
        let rules = try KeywordRules.load(text: """
            threshold = 5
            [[group]]
            name = "a"
            weight = 5
            terms = ["treaty"]
            """, file: "k.toml")
        let feed = FeedConfig(url: "http://127.0.0.1/feed")
        let processor = ArticleProcessor(feed: feed, feedName: "f", rules: rules, alertBacklog: 0,
                                         firstFetch: false, now: Date())
        let item = ParsedItem(id: "g1", title: "A treaty", link: "https://example.org/1", summary: "<p>Signed today.</p>")
        let text = ArticleProcessor.plainText(of: item)
        func known(_ hash: String) -> ([String]) throws -> [String: KnownArticle] {
            { ids in Dictionary(uniqueKeysWithValues: ids.map {
                ($0, KnownArticle(id: 1, identity: $0, contentHash: hash, alerted: false, storyID: nil, score: 5))
            }) }
        }
        let v1 = ArticleProcessor.contentHashV1(item.title, text, item.link)
        #expect(try processor.prepare(items: [item], known: known(v1)).isEmpty)
        let v2 = ArticleProcessor.contentHash(item.title, text, item.link)
        #expect(try processor.prepare(items: [item], known: known(v2)).isEmpty)
        // A genuinely different stored hash of either kind: edited, re-scored.
        #expect(try processor.prepare(items: [item], known: known("f1:0")).count == 1)
        #expect(try processor.prepare(items: [item], known: known("f2:0")).count == 1)
    }
}
