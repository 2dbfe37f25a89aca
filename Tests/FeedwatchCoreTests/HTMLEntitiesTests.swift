import Testing
import FeedwatchCore

@Suite struct HTMLEntitiesTests {
    @Test func tableHasAllOfHTML401AndDecodesInText() {
        // HTML 4.01 §24: 96 (lat1) + 124 (symbol) + 32 (special) names.
        #expect(HTMLEntities.html401.count == 252)
        #expect(HTMLEntities.codePoint("sum") == 0x2211 && HTMLEntities.codePoint("starf") == 0x2605)
        #expect(HTMLEntities.codePoint("bogus") == nil)
        #expect(HTMLText.plainText("<p>a &sum; b &hellip; &starf; &amp;c &bogus;</p>") == "a ∑ b … ★ &c &bogus;")
        // The XML pre-pass keeps to HTML 4.01, like feedparser.
        #expect(HTMLEntities.html401["starf"] == nil)
    }
}
