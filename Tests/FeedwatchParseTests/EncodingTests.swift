import Foundation
import Testing
@testable import FeedwatchParse
import FeedwatchTestSupport

struct EncodingTests {
    private func atom(_ title: [UInt8], declared: String?) -> [UInt8] {
        var doc: [UInt8] = []
        if let declared { doc += Array("<?xml version=\"1.0\" encoding=\"\(declared)\"?>\n".utf8) }
        doc += Array("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>".utf8) + title + Array("</title></feed>".utf8)
        return doc
    }

    @Test(arguments: [
        ("koi8-r", [0xE1, 0xD7, 0xC9, 0xC1] as [UInt8], "Авиа"),
        ("windows-1251", [0xC0, 0xE2, 0xE8, 0xE0], "Авиа"),
        ("iso-8859-5", [0xB0, 0xD2, 0xD8, 0xD0], "Авиа"),
        ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
        ("windows-1252", [0x80, 0x93, 0x94], "€“”"),
        ("iso-8859-1", [0xE9, 0x80], "é€"),  // WHATWG: the ISO-8859-1 label means windows-1252
    ])
    func declaredEncoding(_ name: String, _ bytes: [UInt8], _ expected: String) throws {
        let feed = try FeedParser.parse(atom(bytes, declared: name))
        #expect(feed.title == expected)
        #expect(!feed.bozo)
    }

    @Test func eucKRIsReadAsCP949() throws {
        // 0x81 0x41 is "갂", defined only in CP949 (the Unified Hangul Code superset of EUC-KR).
        let feed = try FeedParser.parse(atom([0xB3, 0xE2, 0x81, 0x41], declared: "euc-kr"))
        #expect(feed.title == "년갂")
        #expect(!feed.bozo)
    }

    @Test func shiftJISIsReadAsCP932() throws {
        // 0x87 0x40 is "①", an NEC row-13 character present only in CP932.
        let feed = try FeedParser.parse(atom([0x93, 0xFA, 0x87, 0x40], declared: "Shift_JIS"))
        #expect(feed.title == "日①")
        #expect(!feed.bozo)
    }

    @Test func byteOrderMarks() throws {
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Ωmega</title></feed>"
        var le: [UInt8] = [0xFF, 0xFE]
        for u in doc.utf16 { le += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        var be: [UInt8] = [0xFE, 0xFF]
        for u in doc.utf16 { be += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        for bytes in [le, be, [0xEF, 0xBB, 0xBF] + Array(doc.utf8)] {
            let feed = try FeedParser.parse(bytes)
            #expect(feed.title == "Ωmega")
            #expect(!feed.bozo)
        }
    }

    @Test func httpCharsetWinsOverDeclaration() throws {
        let feed = try FeedParser.parse(atom([0xE1, 0xD7], declared: "windows-1251"), contentType: "application/atom+xml; charset=\"KOI8-R\"")
        #expect(feed.title == "Ав")
    }

    @Test func undeclaredLatin1FallsBackToWindows1252() throws {
        let feed = try FeedParser.parse(atom([0x63, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x71, 0x94], declared: nil))
        #expect(feed.title == "café “q”")
        #expect(feed.bozo)
    }

    @Test func unknownDeclaredEncodingIsRecoveredAsUTF8() throws {
        let feed = try FeedParser.parse(atom(Array("ok é".utf8), declared: "x-bogus-encoding"))
        #expect(feed.title == "ok é")
        #expect(feed.bozo)
    }

    @Test func invalidBytesAreReplacedNotFatal() throws {
        // Declared UTF-8, a stray 0xFF and a truncated sequence; windows-1252 cannot
        // take 0x81 either, so the first candidate is used with U+FFFD.
        let feed = try FeedParser.parse(atom([0x41, 0xFF, 0x81, 0x42, 0xE2, 0x82], declared: "utf-8"))
        #expect(feed.bozo)
        #expect(feed.title?.hasPrefix("A\u{FFFD}") == true)
        #expect(feed.title?.contains("B") == true)
    }

    @Test func gzipInputIsInflated() throws {
        let plain = try FeedParser.parse(try fixture("oren-ru__news-windows-1251-gzip.xml"))
        #expect(plain.items.count == 10)
    }

    @Test func corruptGzipIsAnError() {
        #expect(throws: ParseError.self) {
            try FeedParser.parse([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07])
        }
    }
}

struct BrokenDocumentTests {
    @Test func htmlEntitiesWithoutDTD() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title>a&nbsp;b &laquo;c&raquo; &eacute;&hellip;</title></channel></rss>")
        #expect(feed.title == "a\u{A0}b «c» é…")
        #expect(feed.bozo)
    }

    @Test func bareAmpersandsAndUnknownEntities() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><item><title>Tom & Jerry &doesnotexist; &#38; &#x26; &#X41;</title>
            <link>http://x/?a=1&b=2&c</link></item></channel></rss>
            """)
        #expect(feed.items.first?.title == "Tom & Jerry &doesnotexist; & & A")
        #expect(feed.items.first?.link == "http://x/?a=1&b=2&c")
        #expect(feed.bozo)
    }

    @Test func ampersandsInsideCDATAAreLeftAlone() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title><![CDATA[a &amp; b & c]]></title></channel></rss>")
        #expect(feed.title == "a &amp; b & c")
        #expect(!feed.bozo)
    }

    @Test func internalDTDEntitiesExpand() throws {
        let feed = try parse("""
            <!DOCTYPE rss [<!ENTITY who "World"><!ENTITY nbsp "&#160;">]>
            <rss version="2.0"><channel><title>Hello &who;&nbsp;!</title></channel></rss>
            """)
        #expect(feed.title == "Hello World\u{A0}!")
        #expect(!feed.bozo)
    }

    @Test func truncatedDocumentKeepsItems() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title>T</title><item><title>one</title></item><item><title>tw")
        #expect(feed.bozo)
        #expect(feed.items.first?.title == "one")
        #expect(feed.items.count == 2)
        #expect(feed.items.last?.title == "tw")
    }

    @Test func junkBeforeDeclarationAndControlCharacters() throws {
        let feed = try parse("garbage\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>a\u{1}b\u{8}c</title></channel></rss>")
        #expect(feed.title == "a b c")
        #expect(feed.bozo)
    }

    @Test func undeclaredNamespacePrefix() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title>T</title><foo:bar>x</foo:bar><item><title>i</title></item></channel></rss>")
        #expect(feed.bozo)
        #expect(feed.items.count == 1)
    }

    @Test func notAFeed() {
        #expect(throws: ParseError.notAFeed("root element <html> is not RSS, RDF or Atom")) {
            try parse("<html><body>hi</body></html>")
        }
        #expect(throws: ParseError.notAFeed("JSON document is not a JSON Feed")) {
            try parse("{\"hello\": 1}")
        }
    }

    @Test func emptyAndBinaryInputAreClearErrors() throws {
        #expect(throws: ParseError.empty) { try FeedParser.parse([]) }
        #expect(throws: ParseError.empty) { try parse("  \n\t ") }
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20 {
            let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
            do {
                let feed = try FeedParser.parse(bytes)
                Issue.record("random bytes parsed as \(feed.format)")
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
