import Testing
@testable import FeedwatchCore

@Suite struct TOMLReaderTests {
    @Test func readsTablesArraysAndLines() throws {
        let text = """
        # comment
        threshold = 6.5
        name = "feed \\"quoted\\" \\u00e9"
        literal = 'C:\\path'

        [daemon]
        max_concurrent = 16
        hex = 0xff
        big = 1_000
        allow = false
        when = 1979-05-27T07:32:00Z
        list = [
          "a", # first
          'b',
        ]
        inline = { x = 1, y.z = "deep" }

        [[feed]]
        url = "https://example.org/rss.xml"

        [[feed]]
        url = "https://example.net/atom"
        interval = "10m"
        """
        let root = try TOML.parse(text, file: "t.toml")
        #expect(root["threshold"]?.number == 6.5)
        #expect(root["threshold"]?.line == 2)
        #expect(root["name"]?.string == "feed \"quoted\" é")
        #expect(root["literal"]?.string == "C:\\path")
        let daemon = try #require(root["daemon"]?.table)
        #expect(daemon.line == 6)
        #expect(daemon["max_concurrent"]?.integer == 16)
        #expect(daemon["hex"]?.integer == 255)
        #expect(daemon["big"]?.integer == 1000)
        #expect(daemon["allow"]?.bool == false)
        if case .datetime(let d)? = daemon["when"]?.value { #expect(d == "1979-05-27T07:32:00Z") } else { Issue.record("no datetime") }
        #expect(daemon["list"]?.array?.compactMap(\.string) == ["a", "b"])
        #expect(daemon["list"]?.array?.map(\.line) == [13, 14])
        #expect(daemon["inline"]?.table?["y"]?.table?["z"]?.string == "deep")
        let feeds = try #require(root["feed"]?.array)
        #expect(feeds.count == 2)
        #expect(feeds[1].table?["interval"]?.string == "10m")
        #expect(feeds[1].table?["url"]?.line == 22)
        #expect(root.keys == ["threshold", "name", "literal", "daemon", "feed"])
    }

    @Test func multilineStrings() throws {
        let text = "a = \"\"\"\nline1\nline2 \\\n   joined\"\"\"\nb = '''\nraw \\n'''\nc = 1\n"
        let root = try TOML.parse(text, file: "m.toml")
        #expect(root["a"]?.string == "line1\nline2 joined")
        #expect(root["b"]?.string == "raw \\n")
        #expect(root["c"]?.line == 7)
    }

    @Test func reportsEveryProblemWithItsLine() {
        let text = """
        ok = 1
        bad = 
        dup = 1
        dup = 2
        [t]
        [t]
        s = "unterminated
        word = hello
        x = 01
        fine = "yes"
        """
        do {
            _ = try TOML.parse(text, file: "bad.toml")
            Issue.record("expected problems")
        } catch {
            let lines = error.problems.map(\.line)
            #expect(lines == [2, 4, 6, 7, 8, 9])
            #expect(error.problems[1].description == "bad.toml:4: duplicate key 'dup'")
            #expect(error.problems[2].message.contains("defined twice"))
            #expect(error.problems[4].message.contains("strings need quotes"))
        }
    }

    @Test func dottedKeysAndHeaderConflicts() {
        #expect(throws: ConfigProblems.self) { try TOML.parse("[a]\nb.c = 1\n[a.b]\n", file: "x") }
        #expect(throws: ConfigProblems.self) { try TOML.parse("a = 1\n[a]\n", file: "x") }
        #expect(throws: ConfigProblems.self) { try TOML.parse("a = {x = 1}\n[a]\n", file: "x") }
        #expect((try? TOML.parse("[a]\nb.c = 1\n[a.b.d]\ne = 2\n", file: "x")) != nil)
    }
}
