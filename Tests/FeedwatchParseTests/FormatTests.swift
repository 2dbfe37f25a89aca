import Foundation
import Testing
@testable import FeedwatchParse

/// Real publishers' feeds: dialect, title, item count and first item as feedparser reads them.
struct RealWorldFeedTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var format: FeedFormat
        var bozo: Bool
        var items: Int
        var title: String
        var firstTitle: String
        var firstLink: String
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "nytimes__homepage.xml", format: .rss20, bozo: false, items: 33, title: "NYT > Home Page",
             firstTitle: "Putin Led a Complex Cyberattack Scheme to Aid Trump, Report Finds",
             firstLink: "http://www.nytimes.com/2017/01/06/us/politics/donald-trump-wall-hack-russia.html?partner=rss&emc=rss"),
        Case(file: "ctvnews__top-stories.xml", format: .rss20, bozo: false, items: 10, title: "CTVNews.ca - Top Stories - Public RSS",
             firstTitle: "Florida shooting suspect struggled with mental health: family",
             firstLink: "http://www.ctvnews.ca/world/florida-shooting-suspect-struggled-with-mental-health-family-1.3231183"),
        Case(file: "heise__news-rdf.xml", format: .rss090, bozo: false, items: 60, title: "heise online News",
             firstTitle: "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen",
             firstLink: "https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf"),
        Case(file: "slashdot__main-rdf.xml", format: .rss10, bozo: false, items: 15, title: "Slashdot",
             firstTitle: "Ransomware Attack Hampers Prescription Drug Sales at 90% of US Pharmacies",
             firstLink: "https://yro.slashdot.org/story/24/03/02/071229/ransomware-attack-hampers-prescription-drug-sales-at-90-of-us-pharmacies?utm_source=rss1.0mainlinkanon&utm_medium=feed"),
        Case(file: "aviaport__news-koi8-r.xml", format: .rss20, bozo: false, items: 30, title: "АвиаПорт.Ru",
             firstTitle: "Найдены тела двух погибших в авиакатастрофе под Харьковом",
             firstLink: "http://www.aviaport.ru/news/2006/01/02/99278.html"),
        Case(file: "acnnewswire__ko-euc-kr.xml", format: .rss20, bozo: false, items: 8, title: "Asia Corporate Press via ACNNewswire.net",
             firstTitle: "JCB가 China UnionPay와 ATM 이용 계약을 체결; CUP 카드회원들은 이제 일본에서 최초의 ATM 네트워크를 사용할수 있게된다.",
             firstLink: "http://www.acnnewswire.net/Article.Asp?lang=_k&Art_ID=29790"),
        Case(file: "inkase__blog-shift-jis.atom", format: .atom10, bozo: false, items: 15, title: "イン稼！BLOG",
             firstTitle: "BLOGが…！！", firstLink: "http://blog.inkase.net/2010/01/blog.html"),
        Case(file: "daringfireball__articles.atom", format: .atom10, bozo: false, items: 48, title: "Daring Fireball",
             firstTitle: "The Talk Show: ‘I Do Like Throwing a Baby’", firstLink: "https://daringfireball.net/thetalkshow/2017/06/26/ep-195"),
        Case(file: "daringfireball__feed.json", format: .json10, bozo: false, items: 48, title: "Daring Fireball",
             firstTitle: "The Talk Show: ‘I Do Like Throwing a Baby’", firstLink: "https://daringfireball.net/linked/2017/06/26/the-talk-show-195"),
        Case(file: "uol__noticias-no-declaration.rss", format: .rss20, bozo: true, items: 15, title: "UOL Noticias",
             firstTitle: "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
             firstLink: "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm"),
        Case(file: "oren-ru__news-windows-1251-gzip.xml", format: .rss20, bozo: false, items: 10,
             title: "Новости Оренбурга и области / Раздел Новости",
             firstTitle: "В Бузулуке главные стройплощадки – детсад и Ледовый дворец", firstLink: "http://www.oren.ru/news/2743422/"),
    ]

    @Test(arguments: cases)
    func readsFeed(_ c: Case) throws {
        let feed = try FeedParser.parse(try fixture(c.file))
        #expect(feed.format == c.format)
        #expect(feed.bozo == c.bozo)
        #expect(feed.items.count == c.items)
        #expect(feed.title == c.title)
        #expect(feed.items.first?.title == c.firstTitle)
        #expect(feed.items.first?.link == c.firstLink)
    }

    @Test func bareAmpersandsAreKeptInLinks() throws {
        let feed = try FeedParser.parse(try fixture("bold-dk__bare-ampersands.xml"))
        #expect(feed.bozo)
        #expect(feed.items.count > 10)
        #expect(feed.items.allSatisfy { $0.link?.hasPrefix("https://www.bold.dk/") == true })
    }

    @Test func nytimesItemDetails() throws {
        let feed = try FeedParser.parse(try fixture("nytimes__homepage.xml"))
        let item = try #require(feed.items.first)
        #expect(item.id == "http://www.nytimes.com/2017/01/06/us/politics/donald-trump-wall-hack-russia.html")
        #expect(rfc3339(item.published) == "2017-01-07T01:49:31Z")
        #expect(!item.authors.isEmpty)
        #expect(!item.categories.isEmpty)
        #expect(item.summary?.isEmpty == false)
    }
}

/// Small documents, one dialect feature each.
struct DialectTests {
    @Test(arguments: [
        ("<rss version=\"0.91\"><channel><title>t</title></channel></rss>", FeedFormat.rss091),
        ("<rss version=\"0.92\"><channel/></rss>", .rss092),
        ("<rss version=\"0.93\"><channel/></rss>", .rss093),
        ("<rss version=\"0.94\"><channel/></rss>", .rss094),
        ("<rss version=\"2.0\"><channel/></rss>", .rss20),
        ("<rss><channel/></rss>", .rss20),
        ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>", .rss10),
        ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel/></rdf:RDF>", .rss090),
        ("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>", .atom03),
        ("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", .atom10),
        ("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"j\",\"items\":[]}", .json10),
        ("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[]}", .json11),
    ])
    func detectsFormat(_ doc: String, _ format: FeedFormat) throws {
        let feed = try parse(doc)
        #expect(feed.format == format)
        #expect(!feed.bozo)
    }

    @Test func rss2InDefaultNamespaceWithModules() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns="http://backend.userland.com/rss2" xmlns:dc="http://purl.org/dc/elements/1.1/"
                 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel><title>T</title><atom:link rel="self" href="http://x/feed"/>
            <item><title>I</title><dc:creator>Ann</dc:creator><dc:subject>s1</dc:subject><category>c2</category>
            <content:encoded><![CDATA[<p>full</p>]]></content:encoded><description>short &amp; sweet</description>
            <guid isPermaLink="false">abc</guid><dc:date>2004-01-01T19:48:21Z</dc:date>
            <enclosure url="/a.mp3" type="audio/mpeg" length="1234"/></item></channel></rss>
            """, baseURL: "http://example.org/feeds/rss.xml")
        let item = try #require(feed.items.first)
        #expect(feed.title == "T")
        #expect(item.title == "I")
        #expect(item.authors == ["Ann"])
        #expect(item.categories == ["s1", "c2"])
        #expect(item.content == "<p>full</p>")
        #expect(item.summary == "short & sweet")
        #expect(item.id == "abc")
        #expect(item.link == nil)  // isPermaLink="false": the guid is not a URL to follow
        #expect(rfc3339(item.updated) == "2004-01-01T19:48:21Z")
        #expect(item.enclosures == [Enclosure(url: "http://example.org/a.mp3", type: "audio/mpeg", length: 1234)])
    }

    @Test func permalinkGuidBecomesLink() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><item><guid>http://example.com/1</guid></item></channel></rss>")
        #expect(feed.items.first?.link == "http://example.com/1")
        #expect(feed.items.first?.id == "http://example.com/1")
    }

    @Test func atomEntryAndXMLBase() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/" xml:lang="ko">
            <title type="html">A &amp;lt;b&amp;gt;</title><subtitle>S</subtitle>
            <link rel="self" href="feed.atom"/><link href="index.html"/>
            <updated>2003-12-13T18:30:02Z</updated>
            <entry xml:base="2024/">
              <id>tag:x,2024:1</id><title>E</title>
              <link rel="alternate" type="text/html" href="post.html"/>
              <link rel="enclosure" type="video/mp4" length="42" href="/m.mp4"/>
              <author><name>Kim</name><email>k@example.org</email></author>
              <author><email>lee@example.org</email></author>
              <category term="politics"/><category label="Label only"/>
              <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Hi <b>there</b> &amp; bye</div></summary>
              <content type="application/octet-stream">SGVsbG8=</content>
              <published>2024-02-29T10:00:00+09:00</published><updated>2024-03-01T00:00:00Z</updated>
            </entry></feed>
            """)
        #expect(feed.title == "A &lt;b&gt;")  // type="html": the HTML as given, entity-decoded once
        #expect(feed.description == "S")
        #expect(feed.link == "http://example.org/blog/index.html")
        #expect(feed.language == "ko")
        #expect(rfc3339(feed.updated) == "2003-12-13T18:30:02Z")
        let e = try #require(feed.items.first)
        #expect(e.id == "tag:x,2024:1")
        #expect(e.link == "http://example.org/blog/2024/post.html")
        #expect(e.enclosures == [Enclosure(url: "http://example.org/m.mp4", type: "video/mp4", length: 42)])
        #expect(e.authors == ["Kim", "lee@example.org"])
        #expect(e.categories == ["politics", "Label only"])
        #expect(e.summary == "Hi <b>there</b> &amp; bye")
        #expect(e.content == "Hello")
        #expect(rfc3339(e.published) == "2024-02-29T01:00:00Z")
        #expect(rfc3339(e.updated) == "2024-03-01T00:00:00Z")
    }

    @Test func atom03Base64Content() throws {
        let feed = try parse("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
            <content type="text/html" mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</content>
            <issued>2004-01-01T19:48:21Z</issued><modified>2004-01-02T00:00:00Z</modified></entry></feed>
            """)
        #expect(feed.items.first?.content == "Example <b>Atom</b>")
        #expect(rfc3339(feed.items.first?.published) == "2004-01-01T19:48:21Z")
        #expect(rfc3339(feed.items.first?.updated) == "2004-01-02T00:00:00Z")
    }

    @Test func jsonFeedItems() throws {
        let feed = try parse("""
            {"version": "https://jsonfeed.org/version/1.1", "title": "J", "home_page_url": "https://j.example/",
             "language": "en", "items": [{"id": 7, "url": "/p/7", "title": "Seven", "content_html": "<p>7</p>",
             "summary": "s", "date_published": "2020-01-02T03:04:05-05:00", "tags": ["a", "b"],
             "authors": [{"name": "Ann"}], "attachments": [{"url": "https://j.example/7.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 99}]}]}
            """, baseURL: "https://j.example/feed.json")
        let item = try #require(feed.items.first)
        #expect(feed.link == "https://j.example/")
        #expect(feed.language == "en")
        #expect(item.id == "7")
        #expect(item.link == "https://j.example/p/7")
        #expect(item.content == "<p>7</p>")
        #expect(item.summary == "s")
        #expect(rfc3339(item.published) == "2020-01-02T08:04:05Z")
        #expect(item.categories == ["a", "b"])
        #expect(item.authors == ["Ann"])
        #expect(item.enclosures == [Enclosure(url: "https://j.example/7.mp3", type: "audio/mpeg", length: 99)])
    }

    @Test func pollingHints() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <ttl>30</ttl><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>
            <skipHours><hour>0</hour><hour>23</hour><hour>24</hour></skipHours>
            <skipDays><day>Saturday</day><day>sunday</day></skipDays></channel></rss>
            """)
        #expect(feed.hints == FeedHints(ttlSeconds: 1800, updatePeriodSeconds: 21600, skipHours: [0, 23], skipDays: [7, 1]))
    }

    @Test func imageAndTextInputDoNotOverrideChannel() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><image><title>img</title><link>http://img/</link></image>
            <title>Real</title><link>http://real/</link>
            <textInput><title>ti</title><link>http://ti/</link><description>tid</description></textInput>
            <description>d</description></channel></rss>
            """)
        #expect(feed.title == "Real")
        #expect(feed.link == "http://real/")
        #expect(feed.description == "d")
    }

    @Test func identityFallbacks() {
        let d = Date(timeIntervalSince1970: 1_000_000)
        #expect(ParsedItem(id: "g", link: "l").identity == "g")
        #expect(ParsedItem(link: "l").identity == "l")
        #expect(ParsedItem(title: "t", published: d).identity == "title:t|1000000")
        #expect(ParsedItem().identity == nil)
    }

    @Test func jsonOutputFollowsContract() throws {
        var feed = ParsedFeed(format: .rss20, title: "Quote \" and \\ and\nnewline\u{1}", link: nil)
        feed.items = [ParsedItem(id: "1", title: "한글", published: Date(timeIntervalSince1970: 1_523_343_600),
                                 enclosures: [Enclosure(url: "u", type: nil, length: 5)])]
        let line = feed.jsonObject(file: "a/b.xml")
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["file"] as? String == "a/b.xml")
        #expect(obj["format"] as? String == "rss20")
        #expect(obj["bozo"] as? Bool == false)
        #expect(obj["title"] as? String == "Quote \" and \\ and\nnewline\u{1}")
        #expect(obj["link"] is NSNull)
        let items = try #require(obj["items"] as? [[String: Any]])
        #expect(items.first?["title"] as? String == "한글")
        #expect(items.first?["published"] as? String == "2018-04-10T07:00:00Z")
        let enc = try #require((items.first?["enclosures"] as? [[String: Any]])?.first)
        #expect(enc["length"] as? Int == 5)
        #expect(enc["type"] is NSNull)
        // Keys in the contract's order.
        let keys = ["\"file\"", "\"format\"", "\"bozo\"", "\"title\"", "\"link\"", "\"description\"", "\"language\"", "\"updated\"", "\"items\""]
        let positions = keys.compactMap { line.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
    }
}
