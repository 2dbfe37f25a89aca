import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchClassify

/// Repository paths, located from this file (no Package.swift resources needed).
enum Paths {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repo = here.deletingLastPathComponent().deletingLastPathComponent()
    static let shippedKeywords = repo.appendingPathComponent("Config/keywords.toml")
    static let seeds = here.appendingPathComponent("Fixtures/seeds")
}

/// The shipped rules, compiled once for the whole suite.
let shipped: KeywordRules = {
    let text = try! String(contentsOf: Paths.shippedKeywords, encoding: .utf8)
    do {
        return try KeywordRules.load(text: text, file: "Config/keywords.toml")
    } catch {
        fatalError("shipped keywords.toml does not load: \(error)")
    }
}()

/// A small config written for the tests: each case below documents one rule.
func rules(_ toml: String) throws -> KeywordRules {
    try KeywordRules.load(text: toml, file: "test.toml")
}

let smallConfig = """
threshold = 5

[[group]]
name = "north_korea"
weight = 1
max_count = 5
terms = ["North Korea*", "Pyongyang", ["Ri Yong-ho", "Li Yong Ho"], "КНДР", "северн* коре*", "북한", "北朝鮮", "Pjöngjang", "DPRK"]

[[group]]
name = "russia"
weight = 1
max_count = 5
terms = ["Russia", "Moscow", "росси*", "러시아", "ロシア", ["Sergei Lavrov", "Sergey Lavrov"]]

[[group]]
name = "bilateral"
weight = 4
counts_as = ["north_korea", "russia"]
terms = ["Russia-North Korea"]

[[group]]
name = "countries"
weight = 0
terms = ["Iran", "Syria", "Cuba", "Belarus"]

[[group]]
name = "fake"
weight = -1
exclude = true
terms = ["Moscow, Idaho", "Moscow Mule"]

[[require]]
groups = ["north_korea", "russia"]

[[proximity]]
groups = ["north_korea", "russia"]
same_sentence = 3
words = 5
near = 2
max_sentences = 3

[roundup]
countries = "countries"
sides = ["north_korea", "russia"]
min_countries = 4
penalty = 2
"""

func terms(_ s: Score) -> [String] { s.matches.map(\.term) }

// MARK: - Seeds

@Suite struct SeedTests {
    static let files: [URL] = (try? FileManager.default.contentsOfDirectory(at: Paths.seeds, includingPropertiesForKeys: nil))?
        .filter { $0.pathExtension == "txt" }.sorted { $0.path < $1.path } ?? []

    @Test func fiveSeedsPresent() {
        #expect(Self.files.count == 5)
    }

    @Test(arguments: files)
    func seedAlerts(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        // As `feedwatch score` reads a plain-text file: a single first line followed by a
        // blank line is the title; otherwise there is none.
        let parts = text.components(separatedBy: "\n\n")
        let hasTitle = parts.count > 1 && !parts[0].contains("\n")
        let score = hasTitle ? shipped.score(title: parts[0], body: parts.dropFirst().joined(separator: "\n\n"))
                             : shipped.score(title: nil, body: text)
        #expect(score.alert, "seed \(url.lastPathComponent) scored \(score.value): \(score.notes)")
        #expect(score.value >= score.threshold + 5, "seed \(url.lastPathComponent) alerts only narrowly: \(score.value)")
    }
}

// MARK: - Matching and normalization

@Suite struct MatchingTests {
    @Test func transliterationAndHyphenVariants() throws {
        let r = try rules(smallConfig)
        for spelling in ["Ri Yong Ho", "Ri Yong-ho", "Ri Yongho", "RI YONG HO", "Ri Yong‐ho", "Li Yong Ho"] {
            let s = r.score(title: nil, body: "Foreign minister \(spelling) arrived.")
            #expect(terms(s) == ["Ri Yong-ho"], "\(spelling): \(terms(s))")
        }
        // Word boundaries: no match inside longer words.
        #expect(terms(r.score(title: nil, body: "Russiagate and Moscowitz")) == [])
        #expect(terms(r.score(title: nil, body: "Sergey Lavrov")) == ["Sergei Lavrov"])
    }

    @Test func russianInflection() throws {
        let r = try rules(smallConfig)
        for (text, expected) in [
            ("Визит в Россию", ["росси*"]), ("с Россией", ["росси*"]), ("российский", ["росси*"]),
            ("из Северной Кореи", ["северн* коре*"]), ("в Северную Корею", ["северн* коре*"]),
            ("КНДР", ["КНДР"]),
        ] {
            #expect(terms(r.score(title: nil, body: text)) == expected, "\(text)")
        }
        // A phrase with an inner wildcard needs its words adjacent.
        #expect(terms(r.score(title: nil, body: "северный ветер у Кореи")) == [])
    }

    @Test func koreanParticlesAndCJK() throws {
        let r = try rules(smallConfig)
        let s = r.score(title: nil, body: "북한은 러시아와 협력했다. 北朝鮮とロシアが会談")
        #expect(Set(terms(s)) == ["북한", "러시아", "北朝鮮", "ロシア"])
        // Hangul terms need a word start: 남북한 is not 북한.
        #expect(terms(r.score(title: nil, body: "남북한 관계")) == [])
    }

    @Test func normalization() throws {
        let r = try rules(smallConfig)
        // Fullwidth (NFKC), case, diacritics, typographic dash/quotes.
        #expect(terms(r.score(title: nil, body: "ＤＰＲＫ")) == ["DPRK"])
        #expect(terms(r.score(title: nil, body: "PJONGJANG and pjöngjang")).count == 1)
        #expect(terms(r.score(title: nil, body: "the Russia–North Korea talks")).contains("Russia-North Korea"))
        #expect(terms(r.score(title: nil, body: "“North Korea’s” envoy")) == ["North Korea*"])
        // HTML body: tags gone, entities decoded, script dropped.
        let html = "<p>North&nbsp;Korea&#8217;s envoy</p><script>var Moscow = 1;</script><p>met in Mos&shy;cow</p>"
        let s = r.score(title: nil, body: html)
        #expect(Set(terms(s)) == ["North Korea*", "Moscow"])
        #expect(s.matches.first { $0.term == "Moscow" }?.count == 1)
    }

    @Test func positionsAreWordOffsets() throws {
        let r = try rules(smallConfig)
        let s = r.score(title: "Pyongyang", body: "Talks in Moscow, then Pyongyang again.")
        #expect(s.matches.first { $0.term == "Pyongyang" }?.positions == [0, 5])
        #expect(s.matches.first { $0.term == "Moscow" }?.positions == [3])
    }

    @Test func listIsNotBilateralAcrossCommas() throws {
        let r = try rules(smallConfig)
        #expect(!terms(r.score(title: nil, body: "Iran, Russia, North Korea")).contains("Russia-North Korea"))
        #expect(terms(r.score(title: nil, body: "Russia-North Korea ties")).contains("Russia-North Korea"))
    }

    @Test func phrasesDoNotCrossSentencesOrTheTitle() throws {
        let r = try rules(smallConfig)
        #expect(!terms(r.score(title: nil, body: "It came from North Korea. Russia said so.")).contains("Russia-North Korea"))
        #expect(!terms(r.score(title: "Talks with Russia", body: "North Korea agreed")).contains("Russia-North Korea"))
        // A term written with a period may span it.
        let dot = try rules("threshold = 1\n[[group]]\nname = \"a\"\nterms = [\"N. Korea\"]\n")
        #expect(terms(dot.score(title: nil, body: "N. Korea and N Korea")) == ["N. Korea"])
        #expect(dot.score(title: nil, body: "N. Korea and N Korea").matches.first?.count == 2)
    }

    @Test func longestMatchWins() throws {
        let r = try rules(smallConfig)
        // "Russia" and "North Korea" inside the bilateral phrase are not counted again.
        #expect(terms(r.score(title: nil, body: "Russia-North Korea ties")) == ["Russia-North Korea"])
        // …but each counts on its own elsewhere.
        #expect(Set(terms(r.score(title: nil, body: "Russia and North Korea"))) == ["Russia", "North Korea*"])
    }

    @Test func automatonReportsOverlappingMatches() {
        let a = Automaton(patterns: ["he", "she", "his", "hers"].map { Array($0.utf8) })
        var state: Int32 = 0
        var found: [(Int, Int32)] = []
        for (i, b) in "ushers".utf8.enumerated() {
            state = a.next(state, b)
            if state >= a.firstOutputState {
                let k = Int(state - a.firstOutputState)
                for o in a.outputs[Int(a.outputStart[k])..<Int(a.outputStart[k + 1])] { found.append((i, o)) }
            }
        }
        #expect(found.map(\.0) == [3, 3, 5])
        #expect(Set(found.map(\.1)) == [0, 1, 3])
    }
}

// MARK: - Scoring structure

@Suite struct ScoringTests {
    @Test func proximityRewardsSameSentenceAndNearness() throws {
        let r = try rules(smallConfig)
        let near = r.score(title: nil, body: "North Korea and Russia signed it.")
        let sameSentence = r.score(title: nil, body: "North Korea said on a long and windy Tuesday afternoon that Russia would come.")
        let apart = r.score(title: nil, body: "North Korea said so. It was windy. Russia did not comment.")
        #expect(near.value > sameSentence.value)
        #expect(sameSentence.value > apart.value)
        #expect(near.value == 2 + 3 + 2)
        #expect(apart.value == 2)
    }

    @Test func abbreviationsDoNotSplitSentences() throws {
        let r = try rules(smallConfig)
        // "U.S." and "N." must not end the sentence: the pair stays in one sentence.
        let s = r.score(title: nil, body: "The U.S. says North Korea sent shells to Russia.")
        #expect(s.notes.contains { $0.hasPrefix("proximity") })
    }

    @Test func requiredGroupsGateTheScore() throws {
        let r = try rules(smallConfig)
        let s = r.score(title: "North Korea fires missile", body: "Pyongyang fired again. North Korea said.")
        #expect(s.value == 0)
        #expect(s.notes.contains { $0.contains("required russia missing") })
    }

    @Test func exclusionsCancelContainedMatches() throws {
        let r = try rules(smallConfig)
        let s = r.score(title: nil, body: "A murder in Moscow, Idaho shocked North Korea watchers. Try a Moscow Mule.")
        #expect(!terms(s).contains("Moscow"))
        #expect(terms(s).contains("Moscow, Idaho"))
        #expect(s.value == 0)   // Russia missing once the look-alikes are removed
        let real = r.score(title: nil, body: "Moscow and Pyongyang")
        #expect(terms(real).contains("Moscow"))
    }

    @Test func roundupSentencesEarnNothing() throws {
        let r = try rules(smallConfig)
        let list = r.score(title: nil, body: "Sanctions hit Iran, Syria, North Korea and Russia.")
        let pair = r.score(title: nil, body: "Sanctions hit North Korea and Russia.")
        #expect(list.notes.contains { $0.hasPrefix("list:") })
        #expect(list.value < pair.value)
        #expect(list.value == -2)
    }

    @Test func titleCountsMore() throws {
        let r = try rules(smallConfig)
        let inTitle = r.score(title: "North Korea and Russia", body: "Nothing else.")
        let inBody = r.score(title: "Nothing", body: "North Korea and Russia.")
        #expect(inTitle.value == 2 * inBody.value)
    }

    @Test func scoreDoesNotDependOnTermOrder() throws {
        let text = try String(contentsOf: Paths.shippedKeywords, encoding: .utf8)
        let root = try TOML.parse(text, file: "k")
        var loader = KeywordConfigLoader(file: "k")
        var model = loader.read(root)
        #expect(loader.problems.isEmpty)
        let original = KeywordRules(model: model)
        // Reverse, then rotate, the terms of every group and the spellings of every term.
        for i in model.groups.indices {
            var t = Array(model.groups[i].terms.reversed())
            if t.count > 2 { t = Array(t[2...] + t[..<2]) }
            for j in t.indices {
                t[j].spellings = [t[j].spellings[0]] + t[j].spellings.dropFirst().reversed()
                t[j].compiled = nil   // recompiled from the reordered spellings
            }
            model.groups[i].terms = t
        }
        let shuffled = KeywordRules(model: model)
        #expect(original.termCount == shuffled.termCount)
        for url in SeedTests.files {
            let body = try String(contentsOf: url, encoding: .utf8)
            let a = original.score(title: nil, body: body), b = shuffled.score(title: nil, body: body)
            #expect(a.value == b.value)
            #expect(a.matches == b.matches)
        }
        for sample in ["Lavrov in Pyongyang: talks with Choe Son Hui", "Путин и Ким Чен Ын провели переговоры в Пхеньяне",
                       "김정은·푸틴, 보스토치니서 정상회담", "Iran, Syria, North Korea and Russia top sanctions list"] {
            #expect(original.score(title: nil, body: sample) == shuffled.score(title: nil, body: sample))
        }
    }

    @Test func shippedRulesSeparateRelationshipFromPassingMention() {
        let relevant = shipped.score(title: "Lavrov arrives in Pyongyang for talks",
                                     body: "Russian Foreign Minister Sergei Lavrov landed in Pyongyang on Monday for talks with Choe Son Hui on military cooperation.")
        let passing = shipped.score(title: "Level 4: the countries Americans should not visit",
                                    body: "The list includes Iran, Syria, North Korea, Russia, Venezuela and Yemen. Travellers are told to write a will.")
        let oneSide = shipped.score(title: "North Korea fires ballistic missile into East Sea",
                                    body: "The launch came days after drills. Japan's defence ministry confirmed it.")
        let falseFriend = shipped.score(title: "Moscow Mule recipe", body: "Vodka, ginger beer and lime. Kim Kardashian loves it.")
        #expect(relevant.alert)
        #expect(!passing.alert)
        #expect(!oneSide.alert)
        #expect(!falseFriend.alert)
        #expect(shipped.termCount > 300)
    }
}

// MARK: - HTML to text

@Suite struct HTMLTextTests {
    @Test func blocksScriptsEntities() {
        let html = """
        <html><head><title>T</title><style>p{}</style></head><body><h1>Head&amp;line</h1>
        <p>One&nbsp;two &ldquo;three&rdquo; &#x41;&#66; &eacute;</p><script>alert(1)</script><!-- c --><div>a<br>b</div> 1 &lt; 2
        </body></html>
        """
        let t = HTMLText.plainText(html)
        #expect(t == "Head&line\n\nOne two “three” AB é\n\na\nb\n1 < 2")
    }

    /// Whitespace around text runs when the input has markup (the byte scan,
    /// not the markup-free fast path): one space between words, none before
    /// a line break or at either end of a line, tabs and runs collapsed.
    @Test func whitespaceAroundTextRunsCollapses() {
        #expect(HTMLText.plainText("<p>a  b\t c</p>") == "a b c")
        #expect(HTMLText.plainText("<p>word </p><p> next</p>") == "word\n\nnext")
        #expect(HTMLText.plainText("<b>x</b> y <i>z</i> ") == "x y z")
        #expect(HTMLText.plainText("one two &amp; three four<br>five  six") == "one two & three four\nfive six")
        #expect(HTMLText.plainText("<div> lead and trail </div>tail") == "lead and trail\ntail")
        #expect(HTMLText.plainText("a\u{0B}b <span>c</span>\n\nd") == "a\u{0B}b c d")
    }

    @Test func plainTextPassesThrough() {
        #expect(HTMLText.plainText("a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.plainText("AT&T &unknown; &#0;") == "AT&T &unknown; \u{FFFD}")
    }
}

// MARK: - check: every problem, with its line

@Suite struct CheckTests {
    func problems(_ toml: String) -> [String] {
        do {
            _ = try KeywordRules.load(text: toml, file: "k.toml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func everyProblemWithItsLine() {
        let toml = """
        threshold = 0
        bogus = 1
        [scoring]
        title_weight = "high"
        [[group]]
        name = "nk"
        terms = []
        [[group]]
        name = "ru"
        weight = "x"
        terms = ["Russia", "russia", 5, "Mos*cow"]
        [[group]]
        name = "ru2"
        terms = ["Moscow", "Ri Yong-ho", "Ri Yong Ho"]
        [[require]]
        groups = ["nk", "china"]
        [[proximity]]
        groups = ["ru"]
        same_sentence = 1
        [[group]]
        name = "ru"
        max_count = 0
        terms = [["Kremlin", "kremlin"]]
        """
        let p = problems(toml)
        let expected: [(Int, String)] = [
            (1, "'threshold' must be positive"),
            (2, "unknown key 'bogus'"),
            (4, "'title_weight' must be a number"),
            (7, "'terms' is empty"),
            (10, "'weight' must be a number, got a string"),
            (11, "duplicate term 'russia' (matches the same words as 'Russia' at line 11)"),
            (11, "a term must be a string or an array of spellings, got an integer"),
            (11, "term 'Mos*cow' '*' may only end a word"),
            (14, "duplicate term 'Ri Yong Ho' (matches the same words as 'Ri Yong-ho' at line 14)"),
            (16, "required group 'nk' can never match"),
            (16, "required group 'china' can never match"),
            (18, "'groups' must name exactly two groups, got 1"),
            (21, "duplicate group name 'ru' (first defined at line 9)"),
            (22, "'max_count' must be at least 1, got 0"),
            (23, "duplicate spelling 'kremlin' in the same term"),
        ]
        for (line, message) in expected {
            #expect(p.contains { $0.hasPrefix("k.toml:\(line): ") && $0.contains(message) }, "missing \(line): \(message) in \(p)")
        }
        #expect(p.count == expected.count, "\(p)")
    }

    @Test func thresholdMissingAndNoGroups() {
        let p = problems("# nothing here\n")
        #expect(p.contains("k.toml:1: missing top-level 'threshold' (an article alerts when its score is at least the threshold)"))
        #expect(p.contains { $0.hasPrefix("k.toml:1: no [[group]]") })
    }

    @Test func tomlSyntaxErrorsHaveLines() {
        let p = problems("threshold = 5\n[[group]]\nname = \"a\"\nterms = [\"x\",\n\nweight = = 2\n")
        #expect(!p.isEmpty)
        #expect(p.allSatisfy { $0.hasPrefix("k.toml:") })
    }

    @Test func wrongTypesAndUnknownKeysInSections() {
        let toml = """
        threshold = "high"
        [[group]]
        name = "Bad Name"
        colour = "red"
        counts_as = "russia"
        exclude = "yes"
        terms = ["a"]
        [roundup]
        countries = "nowhere"
        min_countries = 1
        """
        let p = problems(toml)
        for (line, message) in [(1, "'threshold' must be a number, got a string"), (3, "group name 'Bad Name' must be lowercase"),
                                (4, "unknown key 'colour'"), (5, "'counts_as' must be an array of strings"),
                                (6, "'exclude' must be a boolean"), (9, "'countries' group 'nowhere' is not defined"),
                                (10, "'min_countries' must be at least 2")] {
            #expect(p.contains { $0.hasPrefix("k.toml:\(line): ") && $0.contains(message) }, "missing \(line): \(message) in \(p)")
        }
    }

    @Test func shippedConfigIsValid() throws {
        let text = try String(contentsOf: Paths.shippedKeywords, encoding: .utf8)
        #expect(problems(text) == [])
    }
}
