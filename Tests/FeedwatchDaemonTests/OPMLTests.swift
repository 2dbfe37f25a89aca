import Foundation
import Testing
@testable import FeedwatchDaemon

@Suite struct OPMLTests {
    let sample = """
    <?xml version="1.0" encoding="UTF-8"?>
    <opml version="2.0"><head><title>My feeds</title></head><body>
      <outline text="Korea">
        <outline type="rss" text="NK News" title="NK News" xmlUrl="https://www.nknews.org/feed/"/>
        <outline type="rss" text="Yonhap &amp; co" xmlUrl="https://en.yna.co.kr/RSS/nk.xml"/>
      </outline>
      <outline type="rss" text="Not http" xmlUrl="ftp://example.org/feed"/>
      <outline text="a folder without a feed"/>
      <outline type="rss" text="Already there" xmlUrl="https://tass.com/rss/v2.xml"/>
    </body></opml>
    """

    @Test func readsNestedOutlines() throws {
        let entries = try OPML.entries(from: Data(sample.utf8))
        #expect(entries.map(\.url) == ["https://www.nknews.org/feed/", "https://en.yna.co.kr/RSS/nk.xml",
                                        "ftp://example.org/feed", "https://tass.com/rss/v2.xml"])
        #expect(entries[1].title == "Yonhap & co")
    }

    @Test func rejectsNonOPML() {
        #expect(throws: OPML.OPMLError.self) { try OPML.entries(from: Data("<rss><channel/></rss>".utf8)) }
        #expect(throws: (any Error).self) { try OPML.entries(from: Data("not xml at all".utf8)) }
    }

    @Test func importAppendsOnlyNewHTTPFeedsAndKeepsTheFileValid() throws {
        let config = """
        # my comment stays
        [daemon]
        state_dir = "s"

        [[feed]]
        url = "https://tass.com/rss/v2.xml"
        """
        let existing = try DaemonConfig.parse(text: config, file: "/tmp/x/feedwatch.toml").feeds
        let (text, added) = OPML.appendFeeds(try OPML.entries(from: Data(sample.utf8)), to: config, existing: existing)
        #expect(added.map(\.url) == ["https://www.nknews.org/feed/", "https://en.yna.co.kr/RSS/nk.xml"])
        #expect(text.hasPrefix(config))
        let reparsed = try DaemonConfig.parse(text: text, file: "/tmp/x/feedwatch.toml")
        #expect(reparsed.feeds.count == 3)
        #expect(reparsed.feeds[2].name == "Yonhap & co")
        // Importing again adds nothing.
        let (_, again) = OPML.appendFeeds(try OPML.entries(from: Data(sample.utf8)), to: text, existing: reparsed.feeds)
        #expect(again.isEmpty)
    }

    @Test func exportRoundTrips() throws {
        let feeds = [FeedConfig(url: "https://a.example/rss?x=1&y=2", name: "A \"quoted\" <name>"),
                     FeedConfig(url: "https://b.example/atom")]
        let back = try OPML.entries(from: Data(OPML.export(feeds).utf8))
        #expect(back.map(\.url) == feeds.map(\.url))
        #expect(back[0].title == "A \"quoted\" <name>")
        #expect(back[1].title == "https://b.example/atom")
    }
}
