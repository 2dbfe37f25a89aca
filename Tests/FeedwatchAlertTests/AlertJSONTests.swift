import FeedwatchCore
import Foundation
import Testing
@testable import FeedwatchAlert

@Suite struct AlertJSONTests {
    @Test func encodesOneSortedLineWithContractKeys() throws {
        let line = AlertJSON.encode(sampleAlert())
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let keys = ["feed", "fetched", "id", "matches", "published", "score", "sources", "story_id",
                    "summary", "threshold", "title", "url"]
        #expect(obj.keys.sorted() == keys)
        // Sorted keys in the text itself: stable bytes for the same alert.
        #expect(line == #"{"feed":"Example Wire","fetched":"2018-04-10T07:01:40.250Z","id":"a-1","#
            + #""matches":[{"count":3,"group":"north_korea","term":"Pyongyang","weight":2}],"#
            + #""published":"2018-04-10T07:00:00Z","score":12.5,"#
            + #""sources":[{"feed":"Other","title":"Copy","url":null}],"story_id":"s-a-1","#
            + #""summary":"Foreign ministers met.","threshold":6,"title":"Ri Yong Ho meets Lavrov in Moscow","#
            + #""url":"https://example.org/news/a-1?x=1&y=2"}"#)
        #expect(obj["published"] as? String == "2018-04-10T07:00:00Z")
        #expect(obj["fetched"] as? String == "2018-04-10T07:01:40.250Z")
        #expect(line.contains(#""url":"https://example.org/news/a-1?x=1&y=2""#))
        let match = try #require((obj["matches"] as? [[String: Any]])?.first)
        #expect(match.keys.sorted() == ["count", "group", "term", "weight"])
        #expect(AlertJSON.encode(sampleAlert()) == line)
    }

    @Test func writesNullsExplicitly() throws {
        var a = sampleAlert()
        a.url = nil
        a.title = nil
        a.published = nil
        a.summary = nil
        let line = AlertJSON.encode(a)
        #expect(line.contains(#""url":null"#))
        #expect(line.contains(#""title":null"#))
        #expect(line.contains(#""published":null"#))
        #expect(line.contains(#""summary":null"#))
        #expect(line.contains(#"{"feed":"Other","title":"Copy","url":null}"#))
    }

    @Test func roundTrips() throws {
        var a = sampleAlert()
        a.matches[0].positions = [] // positions are not part of the wire form
        let back = try #require(AlertJSON.decode(AlertJSON.encode(a)))
        #expect(back == a)
    }

    @Test func controlAndBidiCharactersAreEscapedNotRaw() throws {
        let nasty = "Red\u{1B}[31mALERT\u{1B}]0;owned\u{07} \u{9B}2J \u{202E}txt.exe \u{2028}x\u{7F}"
        let line = AlertJSON.encode(sampleAlert(title: nasty))
        for bad: UInt32 in [0x1B, 0x07, 0x9B, 0x202E, 0x2028, 0x7F] {
            #expect(!line.unicodeScalars.contains { $0.value == bad }, "raw U+\(String(bad, radix: 16)) in log line")
        }
        #expect(line.contains(#"\u001b[31m"#) || line.contains(#"\u001B[31m"#))
        #expect(line.contains(#"\u202e"#))
        // Same value after parsing.
        #expect(AlertJSON.decode(line)?.title == nasty)
    }

    @Test func rejectsNonAlerts() {
        #expect(AlertJSON.decode("") == nil)
        #expect(AlertJSON.decode("not json") == nil)
        #expect(AlertJSON.decode(#"{"id":"x"}"#) == nil) // no fetched date
        #expect(AlertJSON.decode(#"{"id":"x","fetched":"yesterday"}"#) == nil)
        #expect(AlertJSON.decode(#"{"id":"x","fetched":"2018-04-10T07:00:00Z"}"#)?.id == "x")
    }

    @Test func nonFiniteScoresBecomeNull() {
        var a = sampleAlert()
        a.score = .nan
        let line = AlertJSON.encode(a)
        #expect(line.contains(#""score":null"#))
        #expect(AlertJSON.decode(line)?.score.isNaN == true)
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (1_523_343_600, "2018-04-10T07:00:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (1_523_343_600.5, "2018-04-10T07:00:00.500Z"),
        (1_523_343_599.9996, "2018-04-10T07:00:00Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"),
    ])
    func rfc3339(seconds: Double, text: String) throws {
        #expect(AlertTimestamp.format(Date(timeIntervalSince1970: seconds)) == text)
        let parsed = try #require(AlertTimestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test func rfc3339ParsesOffsetsAndRejectsJunk() {
        #expect(AlertTimestamp.parse("2018-04-10T10:00:00+03:00")?.timeIntervalSince1970 == 1_523_343_600)
        #expect(AlertTimestamp.parse("2018-04-10t07:00:00z")?.timeIntervalSince1970 == 1_523_343_600)
        #expect(AlertTimestamp.parse("2018-04-10T07:00:00") == nil)
        #expect(AlertTimestamp.parse("2018-13-10T07:00:00Z") == nil)
        #expect(AlertTimestamp.parse("2018-04-10T07:00:00Zjunk") == nil)
    }
}

@Suite struct TerminalSafeTests {
    @Test func stripsEscapeSequences() {
        #expect(TerminalSafe.sanitize("\u{1B}[1;31mRed\u{1B}[0m text") == "Red text")
        #expect(TerminalSafe.sanitize("a\u{1B}]0;new window title\u{07}b") == "ab")
        #expect(TerminalSafe.sanitize("a\u{1B}]8;;http://evil\u{1B}\\link\u{1B}]8;;\u{1B}\\b") == "alinkb")
        #expect(TerminalSafe.sanitize("a\u{9B}2Jb") == "ab")
        #expect(TerminalSafe.sanitize("a\u{1B}Pq#0;2;0;0;0\u{1B}\\b") == "ab")
        #expect(TerminalSafe.sanitize("a\u{1B}(Bb") == "ab")
        #expect(TerminalSafe.sanitize("a\u{1B}cb") == "ab")
        #expect(TerminalSafe.sanitize("trailing\u{1B}") == "trailing")
    }

    @Test func stripsControlsAndBidiKeepsText() {
        #expect(TerminalSafe.sanitize("a\u{07}\u{08}\u{00}\u{7F}\u{85}b") == "ab")
        #expect(TerminalSafe.sanitize("line1\nline2\r\n\tx") == "line1 line2 x")
        #expect(TerminalSafe.sanitize("user\u{202E}gnp.exe\u{202C}") == "usergnp.exe")
        #expect(TerminalSafe.sanitize("\u{2067}x\u{2069}\u{200F}") == "x")
        #expect(TerminalSafe.sanitize("Пхеньян — Москва 평양 ✓") == "Пхеньян — Москва 평양 ✓")
    }

    @Test func sanitizedTextHasNoControlCharacters() {
        // Every scalar 0…0x2100 once, plus sequences: nothing dangerous survives.
        var s = String.UnicodeScalarView()
        for v in UInt32(0)...0x2100 { if let u = Unicode.Scalar(v) { s.append(u) } }
        let out = TerminalSafe.sanitize(String(s) + "\u{1B}[31m\u{1B}]2;x\u{07}")
        for c in out.unicodeScalars {
            #expect(!(c.value < 0x20 || (0x7F...0x9F).contains(c.value) || (0x202A...0x202E).contains(c.value)))
        }
    }

    @Test func escapeJSONKeepsTheValue() throws {
        let raw = "{\"t\":\"a\u{1B}b\u{85}c\u{202E}d\"}"
        let safe = TerminalSafe.escapeJSON(raw)
        #expect(safe == #"{"t":"a\u001bb\u0085c\u202ed"}"#)
        let back = try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String]
        #expect(back == ["t": "a\u{1B}b\u{85}c\u{202E}d"])
        #expect(TerminalSafe.escapeJSON(#"{"ok":1}"#) == #"{"ok":1}"#)
    }

    @Test func displayLineIsReadableAndClean() {
        let line = AlertDisplay.line(sampleAlert(title: "Talks\u{1B}[2J in \u{202E}Moscow\nnext"))
        #expect(line == "2018-04-10 07:01Z   12.5  Example Wire  Talks in Moscow next  https://example.org/news/a-1?x=1&y=2  (+1 source)")
        #expect(!line.unicodeScalars.contains { $0.value == 0x1B })
    }
}
