import Testing
@testable import FeedwatchDedup
import FeedwatchTestSupport

@Suite struct CanonicalURLTests {
    @Test(arguments: [
        // scheme and host case, default ports (RFC 3986 §6.2.2.1, §6.2.3)
        ("HTTP://Example.ORG:80/News/Story", "http://example.org/News/Story"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org:/a", "http://example.org/a"),
        ("https://example.org:0443/a", "https://example.org/a"),
        // empty path
        ("https://example.org", "https://example.org/"),
        ("https://example.org?x=1", "https://example.org/?x=1"),
        // fragment removed, "#!" kept (AJAX-crawling pages)
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org/#!/story/12", "https://example.org/#!/story/12"),
        // tracking parameters removed, others kept in order
        ("https://example.org/a?utm_source=rss&utm_medium=feed&id=7", "https://example.org/a?id=7"),
        ("https://example.org/a?b=2&fbclid=XYZ&a=1&gclid=1&UTM_Campaign=x", "https://example.org/a?b=2&a=1"),
        ("https://example.org/a?mc_cid=1&mc_eid=2&yclid=3&_ga=4&igshid=5&ref_src=twsrc", "https://example.org/a"),
        ("https://example.org/a?ref=home&source=rss", "https://example.org/a?ref=home&source=rss"),
        ("https://example.org/a?%75tm_source=x&p=1", "https://example.org/a?p=1"),
        ("https://example.org/a?&&id=1&", "https://example.org/a?id=1"),
        // percent-encoding (§6.2.2.1, §6.2.2.2)
        ("https://example.org/%7euser/%41b%2fc", "https://example.org/~user/Ab%2Fc"),
        ("https://example.org/a?q=%e2%82%ac", "https://example.org/a?q=%E2%82%AC"),
        ("https://example.org/100%", "https://example.org/100%25"),
        ("https://example.org/a b?q=x y", "https://example.org/a%20b?q=x%20y"),
        // dot segments (§6.2.2.3)
        ("https://example.org/a/./b/../c", "https://example.org/a/c"),
        ("https://example.org/../a", "https://example.org/a"),
        // IDN host lowercased as given, IPv6 literal, userinfo
        ("https://ПРИМЕР.РФ/Новости", "https://пример.рф/Новости"),
        ("http://[::1]:8080/feed", "http://[::1]:8080/feed"),
        ("http://[::1]:80/feed", "http://[::1]/feed"),
        ("  https://example.org/a \n", "https://example.org/a"),
    ])
    func canonicalizes(input: String, expected: String) {
        #expect(CanonicalURL.canonical(input) == expected)
    }

    @Test(arguments: ["", "   ", "example.org/a", "/relative/path", "mailto:a@example.org", "1http://x", "http://", "http://host:80x/", "http://a:b:c/"])
    func rejectsNonAbsolute(input: String) {
        #expect(CanonicalURL.canonical(input) == nil)
    }

    /// Genuinely different pages must never merge.
    @Test(arguments: [
        ("https://example.org/article?id=1", "https://example.org/article?id=2"),
        ("https://example.org/a?x=1&y=2", "https://example.org/a?y=2&x=1"),
        ("https://example.org/Story", "https://example.org/story"),
        ("https://example.org/a", "http://example.org/a"),
        ("https://example.org/a", "https://example.org:8443/a"),
        ("https://example.org/a%2Fb", "https://example.org/a/b"),
        ("https://example.org/a?ref=1", "https://example.org/a?ref=2"),
        ("https://example.org/p?page=2", "https://example.org/p"),
        ("https://example.org/#!/a", "https://example.org/#!/b"),
        ("https://news.example.org/a", "https://example.org/a"),
    ])
    func keepsDifferentPagesApart(a: String, b: String) {
        #expect(CanonicalURL.canonical(a) != CanonicalURL.canonical(b))
    }

    /// Seeded property: canonicalization is idempotent on random URL-ish strings.
    @Test func idempotentOnRandomURLs() {
        var rng = SplitMix64(seed: 0xFEED_0001)
        let pieces = ["a", "B", "%41", "%7e", "%2f", "%zz", "%", ".", "..", "/", "?", "&", "=", "#", "#!", ":", "@",
                      "utm_x", "fbclid", "id", "Ж", "ü", "~", "-", "_", "80", "443", " ", "%E2%82%AC", "[::1]"]
        var checked = 0
        for _ in 0..<5000 {
            var s = ["http://", "HTTPS://", "https://", "ftp://"][Int(rng.next() % 4)]
            for _ in 0..<Int(rng.next() % 16) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
            guard let c = CanonicalURL.canonical(s) else { continue }
            checked += 1
            #expect(CanonicalURL.canonical(c) == c, "not idempotent: \(s) -> \(c)")
        }
        #expect(checked > 1000)
    }
}

