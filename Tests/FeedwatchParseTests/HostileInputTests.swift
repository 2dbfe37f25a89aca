import Foundation
import Testing
@testable import FeedwatchParse
#if canImport(Glibc)
import Glibc
import FeedwatchTestSupport
#endif

/// Issue 2, "Hostile input": each test fails if its protection breaks.
struct HostileInputTests {
    @Test func externalFileEntitiesAreNeverLoaded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fw-xxe-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("secret.txt")
        try "TOP-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        let dtd = dir.appendingPathComponent("evil.dtd")
        try "<!ENTITY leak \"TOP-SECRET-CONTENT\">".write(to: dtd, atomically: true, encoding: .utf8)
        let docs = [
            // General external entity.
            "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"\(secret.absoluteString)\">]><rss version=\"2.0\"><channel><title>a&xxe;b</title></channel></rss>",
            // Parameter entity pulling in a DTD that declares the entity.
            "<!DOCTYPE rss [<!ENTITY % p SYSTEM \"\(dtd.absoluteString)\"> %p;]><rss version=\"2.0\"><channel><title>a&leak;b</title></channel></rss>",
            // External DTD subset.
            "<!DOCTYPE rss SYSTEM \"\(dtd.absoluteString)\"><rss version=\"2.0\"><channel><title>a&leak;b</title></channel></rss>",
            // Plain path instead of a URL.
            "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"\(secret.path)\">]><rss version=\"2.0\"><channel><title>a&xxe;b</title></channel></rss>",
        ]
        for doc in docs {
            let feed = try parse(doc)
            #expect(feed.title?.contains("SECRET") != true)
            #expect(feed.title?.hasPrefix("a") == true)
        }
    }

    @Test func externalHTTPEntitiesAreNeverFetched() throws {
        // A listening socket on loopback: if the parser tried to fetch, a
        // connection would be waiting in the backlog afterwards.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        #expect(bound)
        #expect(listen(fd, 8) == 0)
        let port = UInt16(bigEndian: addr.sin_port)
        let url = "http://127.0.0.1:\(port)/x"
        let docs = [
            "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"\(url)\">]><rss version=\"2.0\"><channel><title>&xxe;</title></channel></rss>",
            "<!DOCTYPE rss [<!ENTITY % p SYSTEM \"\(url)\"> %p;]><rss version=\"2.0\"><channel><title>t</title></channel></rss>",
            "<!DOCTYPE rss SYSTEM \"\(url)\"><rss version=\"2.0\"><channel><title>t</title></channel></rss>",
        ]
        for doc in docs { _ = try parse(doc) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let client = accept(fd, nil, nil)
        if client >= 0 { close(client) }
        #expect(client < 0, "the parser connected to \(url)")
    }

    @Test func billionLaughsIsBounded() throws {
        var dtd = "<!ENTITY lol0 \"lol\">"
        for i in 1...10 {
            dtd += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">"
        }
        let feed = try parse("<!DOCTYPE rss [\(dtd)]><rss version=\"2.0\"><channel><title>&lol10;</title><item><title>kept</title></item></channel></rss>")
        // Full expansion would be 3·10^10 characters.
        #expect((feed.title?.utf8.count ?? 0) < 4 << 20)
        #expect(feed.bozo)
    }

    @Test func quadraticBlowupIsBounded() throws {
        let big = String(repeating: "x", count: 100_000)
        let refs = String(repeating: "&big;", count: 50_000)
        let feed = try parse("<!DOCTYPE rss [<!ENTITY big \"\(big)\">]><rss version=\"2.0\"><channel><title>\(refs)</title></channel></rss>")
        // Full expansion would be 5·10^9 characters; the budget allows about the document's size.
        #expect((feed.title?.utf8.count ?? 0) < 8 << 20)
        #expect(feed.bozo)
    }

    @Test func deepNestingIsBoundedWithoutCrashing() throws {
        let depth = 100_000
        let doc = "<rss version=\"2.0\"><channel><item><title>deep</title><x>" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "</x></item></channel></rss>"
        let feed = try parse(doc)
        #expect(feed.bozo)
        #expect(feed.items.first?.title == "deep")
    }

    @Test func fortyMegabyteTextNode() throws {
        let size = 40 << 20
        var doc = Array("<rss version=\"2.0\"><channel><item><title>big</title><description>".utf8)
        doc.reserveCapacity(size + 200)
        let line = Array(String(repeating: "lorem ipsum &amp; dolor ", count: 4).utf8) + [0x0A]
        while doc.count < size { doc += line }
        doc += Array("</description></item></channel></rss>".utf8)
        let feed = try FeedParser.parse(doc)
        #expect(!feed.bozo)
        #expect((feed.items.first?.summary?.utf8.count ?? 0) > 33 << 20)  // 97 bytes → 81 per line after &amp; → &
    }

    @Test func hundredThousandItems() throws {
        var doc = "<rss version=\"2.0\"><channel><title>many</title>"
        doc.reserveCapacity(100_000 * 90)
        for i in 0..<100_000 {
            doc += "<item><title>t\(i)</title><link>http://e.x/\(i)</link><guid>g\(i)</guid></item>"
        }
        doc += "</channel></rss>"
        let feed = try parse(doc)
        #expect(feed.items.count == 100_000)
        #expect(feed.items.last?.link == "http://e.x/99999")
    }

    /// Seeded mutations of real fixtures: every outcome is a feed or a ParseError; no crash, no hang.
    @Test func seededMutationFuzz() throws {
        var seeds: [[UInt8]] = []
        for name in ["ctvnews__top-stories.xml", "acnnewswire__ko-euc-kr.xml", "daringfireball__feed.json"] {
            seeds.append(Array(try fixture(name).prefix(6000)))
        }
        seeds.append(Array("""
            <?xml version="1.0" encoding="utf-8"?><!DOCTYPE feed [<!ENTITY e "x&amp;y">]>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://b/"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a<b>b</b></div></title>
            <entry><id>1</id><link href="r"/><content type="text" mode="base64">QUJD</content><updated>2004-01-01T00:00:00Z</updated>&e;</entry></feed>
            """.utf8))
        let tokens: [[UInt8]] = ["<", ">", "&", "&amp;", "]]>", "<![CDATA[", "<!--", "<item>", "</item>", "<entry>", "&nbsp;",
                                 "\u{0}", "\u{FEFF}", "<!DOCTYPE x [<!ENTITY a \"&a;\">]>", "xmlns:x=\"y\"", "\"", "{", "}", "[", "]"].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0xFEED_F00D)
        var parsed = 0, rejected = 0
        for round in 0..<3000 {
            var doc = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                guard !doc.isEmpty else { break }
                let at = Int.random(in: 0..<doc.count, using: &rng)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: doc[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: doc.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
                case 2: doc.removeSubrange(at..<min(doc.count, at + Int.random(in: 1...64, using: &rng)))
                case 3: doc.removeSubrange(at...)
                case 4:
                    let end = min(doc.count, at + Int.random(in: 1...256, using: &rng))
                    doc.insert(contentsOf: doc[at..<end], at: Int.random(in: 0...doc.count, using: &rng))
                default: doc[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            }
            do {
                let feed = try FeedParser.parse(doc)
                _ = feed.jsonObject(file: "fuzz")
                parsed += 1
            } catch {
                #expect(!error.description.isEmpty)
                rejected += 1
            }
        }
        #expect(parsed + rejected == 3000)
        #expect(parsed > 1000)  // most mutations are recoverable feeds, not errors
    }
}

struct RepairTests {
    @Test func untouchedWhenNothingToRepair() {
        let doc = Array("<rss><channel><title>a &amp; b &#169; &#xA9;</title><![CDATA[ & ]]><!-- & --></channel></rss>".utf8)
        let r = MarkupRepair.repair(doc)
        #expect(!r.changed)
        #expect(r.bytes == doc)
    }

    @Test func rewritesEntitiesAndAmpersands() {
        let r = MarkupRepair.repair(Array("<t a=\"?x=1&y=2\">&copy;&bogus;&</t>".utf8))
        #expect(r.changed)
        #expect(String(decoding: r.bytes, as: UTF8.self) == "<t a=\"?x=1&amp;y=2\">&#169;&amp;bogus;&amp;</t>")
    }
}

@Suite struct StartTagLimitTests {
    @Test func aStartTagWithTensOfThousandsOfAttributesIsRefusedFast() {
        // libxml2 2.9 is quadratic in the attributes of one tag (found by fuzz probes).
        var doc = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item"
        for i in 0..<20_000 { doc += " a\(i)=\"x\"" }
        doc += "><title>x</title></item></channel></rss>"
        #expect(throws: ParseError.self) { try FeedParser.parse(Array(doc.utf8)) }
        do {
            _ = try FeedParser.parse(Array(doc.utf8))
        } catch {
            #expect(error.description.contains("start tag"))
        }
    }

    @Test func longTextAndCDATAAreNotStartTags() throws {
        let big = String(repeating: "word ", count: 40_000)
        let doc = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>x</title><description><![CDATA[\(big)]]></description></item><!-- \(big) --></channel></rss>"
        let feed = try FeedParser.parse(Array(doc.utf8))
        #expect(feed.items.count == 1)
    }
    /// The memchr scan measures the same spans as the obvious byte loop.
    @Test func longestStartTagAgreesWithByteLoop() {
        func naive(_ b: [UInt8]) -> Int {
            var longest = 0, i = 0
            while i < b.count {
                if b[i] == 0x3C, i + 1 < b.count, (b[i + 1] | 0x20) >= 0x61, (b[i + 1] | 0x20) <= 0x7A {
                    var j = i + 1
                    while j < b.count, b[j] != 0x3E { j += 1 }
                    longest = max(longest, j - i)
                    i = j
                } else { i += 1 }
            }
            return longest
        }
        let alphabet = Array("<>a Z!?/x=\"".utf8)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let doc = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            #expect(FeedParser.longestStartTag(doc) == naive(doc), "\(String(decoding: doc, as: UTF8.self))")
        }
        #expect(FeedParser.longestStartTag(Array("<a href='x'>".utf8)) == 11)
        #expect(FeedParser.longestStartTag([]) == 0)
    }
}
