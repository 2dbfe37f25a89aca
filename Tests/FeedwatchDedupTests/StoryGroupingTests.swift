import Foundation
import Testing
@testable import FeedwatchDedup
import FeedwatchTestSupport

@Suite struct StoryPairAccuracyTests {
    /// Precision and recall of `sameStory` on the labelled pair set, all
    /// kinds except cross-language pairs (reported, not asserted: see
    /// make_pairs.py). Target ≥ 0.95 for both.
    @Test func precisionAndRecallOnPairSet() throws {
        let set = try PairSet.load()
        var cache: [String: StoryFingerprint] = [:]
        func fp(_ id: String) -> StoryFingerprint {
            if let f = cache[id] { return f }
            let f = set.fingerprint(id); cache[id] = f; return f
        }
        var total = PairSet.Counts()
        var cross = PairSet.Counts()
        var byKind: [String: PairSet.Counts] = [:]
        var errors: [String] = []
        for p in set.pairs {
            let predicted = StoryGrouping.sameStory(fp(p.a), fp(p.b))
            if p.kind == "crosslang" {
                cross.add(predicted: predicted, actual: p.same)
                continue
            }
            total.add(predicted: predicted, actual: p.same)
            byKind[p.kind, default: .init()].add(predicted: predicted, actual: p.same)
            if predicted != p.same {
                let s = StoryGrouping.similarity(fp(p.a), fp(p.b))
                errors.append("\(p.kind) \(p.a) \(p.b) same=\(p.same) sim=\(String(format: "%.3f", s))")
            }
        }
        print("story pairs: \(total.tp + total.fp + total.fn + total.tn) tp=\(total.tp) fp=\(total.fp) fn=\(total.fn) tn=\(total.tn) precision=\(String(format: "%.3f", total.precision)) recall=\(String(format: "%.3f", total.recall))")
        for (k, c) in byKind.sorted(by: { $0.key < $1.key }) {
            print("  \(k): tp=\(c.tp) fp=\(c.fp) fn=\(c.fn) tn=\(c.tn)")
        }
        print("  crosslang (not asserted): tp=\(cross.tp) fp=\(cross.fp) fn=\(cross.fn) tn=\(cross.tn)")
        for e in errors { print("  wrong: \(e)") }
        #expect(total.tp + total.fn >= 150)
        #expect(total.precision >= 0.95)
        #expect(total.recall >= 0.95)
    }
}

extension StoryPairAccuracyTests {
    /// The way the pipeline groups: articles arrive in published order and
    /// each joins `bestMatch` among all earlier articles' fingerprints (a
    /// story grows by any of its articles), else starts a story. Scored on
    /// the same labelled pairs, counted as "same story" when both ended up
    /// in one story.
    @Test func incrementalGroupingOnPairSet() throws {
        let set = try PairSet.load()
        let fps = Dictionary(uniqueKeysWithValues: set.articles.keys.map { ($0, set.fingerprint($0)) })
        let order = set.articles.keys.sorted {
            (fps[$0]!.published ?? 0, $0) < (fps[$1]!.published ?? 0, $1)
        }
        var candidates: [(storyID: String, fingerprint: StoryFingerprint)] = []
        var story: [String: String] = [:]
        for id in order {
            let s = StoryGrouping.bestMatch(for: fps[id]!, among: candidates) ?? id
            story[id] = s
            candidates.append((s, fps[id]!))
        }
        var all = PairSet.Counts(), originals = PairSet.Counts()
        for p in set.pairs where p.kind != "crosslang" {
            let predicted = story[p.a] == story[p.b]
            all.add(predicted: predicted, actual: p.same)
            if !p.a.contains("~") && !p.b.contains("~") { originals.add(predicted: predicted, actual: p.same) }
        }
        print("incremental grouping: precision=\(String(format: "%.3f", all.precision)) recall=\(String(format: "%.3f", all.recall)); originals only (no wire copies): precision=\(String(format: "%.3f", originals.precision)) recall=\(String(format: "%.3f", originals.recall)) tp=\(originals.tp) fn=\(originals.fn)")
        #expect(all.precision >= 0.95)
        #expect(all.recall >= 0.95)
    }
}

@Suite struct StoryGroupingTests {
    static func seed(_ n: String) throws -> (title: String?, text: String, date: Date?) {
        let set = try PairSet.load()
        let a = set.articles["seed" + n]!
        return (a.title, a.text, a.date)
    }

    /// Seeds 000, 001 and 003 (Ri Yong Ho in Moscow, April 2018) form one
    /// story; 002 and 004 do not join it, whether they arrive before or after.
    @Test func seedsGroupIntoOneStory() throws {
        let set = try PairSet.load()
        let order = [["000", "002", "001", "004", "003"], ["004", "003", "002", "000", "001"]]
        for o in order {
            var stories: [(storyID: String, fingerprint: StoryFingerprint)] = []
            var storyOf: [String: String] = [:]
            for n in o {
                let f = set.fingerprint("seed" + n)
                let id = StoryGrouping.bestMatch(for: f, among: stories) ?? "story-\(n)"
                storyOf[n] = id
                stories.append((id, f))
            }
            #expect(storyOf["000"] == storyOf["001"])
            #expect(storyOf["000"] == storyOf["003"])
            #expect(storyOf["002"] != storyOf["000"])
            #expect(storyOf["004"] != storyOf["000"])
            #expect(storyOf["002"] != storyOf["004"])
        }
    }

    /// The content alone (no dates, so no window to help) still keeps 002
    /// and 004 out of the Ri Yong Ho story.
    @Test func seedsSeparateWithoutDates() throws {
        let set = try PairSet.load()
        func f(_ n: String) -> StoryFingerprint {
            let a = set.articles["seed" + n]!
            return StoryGrouping.fingerprint(title: a.title, text: a.text, published: nil)
        }
        for (x, y) in [("000", "001"), ("000", "003"), ("001", "003")] {
            #expect(StoryGrouping.sameStory(f(x), f(y)), "\(x) \(y)")
        }
        for x in ["000", "001", "003"] {
            for y in ["002", "004"] {
                #expect(!StoryGrouping.sameStory(f(x), f(y)), "\(x) \(y)")
            }
        }
    }

    @Test func timeWindowSeparatesRepeatedEvents() {
        let text = "Russian Foreign Minister Sergei Lavrov arrived in Pyongyang for talks with Choe Son Hui."
        let a = StoryGrouping.fingerprint(title: "Lavrov in Pyongyang", text: text, published: Date(timeIntervalSince1970: 1_697_600_000))
        let b = StoryGrouping.fingerprint(title: "Lavrov in Pyongyang", text: text, published: Date(timeIntervalSince1970: 1_697_600_000 + 2 * 86_400))
        let c = StoryGrouping.fingerprint(title: "Lavrov in Pyongyang", text: text, published: Date(timeIntervalSince1970: 1_697_600_000 + 4 * 86_400))
        #expect(StoryGrouping.sameStory(a, b))
        #expect(!StoryGrouping.sameStory(a, c))
        #expect(StoryGrouping.similarity(a, c) == 1)
    }

    @Test func bestMatchPicksTheClosestStoryIndependentOfOrder() throws {
        let set = try PairSet.load()
        let f = set.fingerprint("r0129")
        let cands: [(storyID: String, fingerprint: StoryFingerprint)] = [
            ("hanoi", set.fingerprint("r0368")), ("singapore", set.fingerprint("r0128")),
            ("japan", set.fingerprint("r0313")), ("singapore", set.fingerprint("r0130")),
        ]
        #expect(StoryGrouping.bestMatch(for: f, among: cands) == "singapore")
        #expect(StoryGrouping.bestMatch(for: f, among: cands.reversed()) == "singapore")
        #expect(StoryGrouping.bestMatch(for: f, among: []) == nil)
        #expect(StoryGrouping.bestMatch(for: set.fingerprint("r0283"), among: cands) == nil)
    }

    @Test func encodingRoundTripsAndRejectsGarbage() throws {
        let set = try PairSet.load()
        for id in ["seed000", "r0094", "r0086", "r0241"] {
            let f = set.fingerprint(id)
            let bytes = f.encoded()
            #expect(bytes.count <= 18 + StoryGrouping.maxTokens * 5)
            #expect(StoryFingerprint(encoded: bytes) == f)
            let json = try JSONEncoder().encode(f)
            #expect(try JSONDecoder().decode(StoryFingerprint.self, from: json) == f)
        }
        #expect(StoryFingerprint(encoded: []) == nil)
        var bad = set.fingerprint("seed000").encoded()
        bad[0] = 99
        #expect(StoryFingerprint(encoded: bad) == nil)
        #expect(StoryFingerprint(encoded: Array(set.fingerprint("seed000").encoded().dropLast())) == nil)
    }

    @Test func emptyInputsAreHarmless() {
        let e = StoryGrouping.fingerprint(title: nil, text: "", published: nil)
        #expect(e.tokens.isEmpty)
        #expect(StoryGrouping.similarity(e, e) >= 0)
        let f = StoryGrouping.fingerprint(title: "Kim meets Putin", text: "", published: nil)
        #expect(!StoryGrouping.sameStory(e, f))
    }

    @Test func hostileInputIsBoundedAndDoesNotTrap() {
        let huge = String(repeating: "Lavrov Pyongyang talks. ", count: 200_000)
        let f = StoryGrouping.fingerprint(title: huge, text: huge, published: Date(timeIntervalSince1970: .infinity))
        #expect(f.published == nil)
        #expect(f.tokens.count <= StoryGrouping.maxTokens)
        let ids = ItemIdentity.identities(for: [IdentityInput(guid: nil, link: nil, title: "x", published: Date(timeIntervalSince1970: .nan))])
        #expect(ids.count == 1)
    }

    @Test func tokenizerHandlesRussianAndKorean() {
        let ru = Tokenizer.tokenize("Лавров встретился с Лавровым. В Москве и Москва").filter { !$0.isStopword }.map(\.text)
        #expect(ru.filter { $0 == "лавро" }.count == 2)
        #expect(ru.filter { $0 == "москв" }.count == 2)
        let korea = Tokenizer.tokenize("Корея Кореи Корее Корею").map(\.text)
        #expect(Set(korea) == ["коре"])
        let ko = Tokenizer.tokenize("푸틴과 푸틴은").map(\.text)
        #expect(ko.filter { $0 == "푸틴" }.count == 2)
        let en = Tokenizer.tokenize("Ri Yong-ho's visit, 3,000 troops").map(\.text)
        #expect(en == ["ri", "yong", "ho", "visit", "3000", "troop"])
        #expect(Tokenizer.englishStem("talks") == "talk")
        #expect(Tokenizer.englishStem("bans") == "ban")
        #expect(Tokenizer.englishStem("signed") == Tokenizer.englishStem("signing"))
        #expect(Tokenizer.englishStem("stopped") == "stop")
        #expect(Tokenizer.englishStem("ministries") == "ministry")
        #expect(Tokenizer.englishStem("press") == "press")
        #expect(Tokenizer.englishStem("status") == "status")
        #expect(Tokenizer.englishStem("need") == "need")
    }

    // MARK: seeded properties

    static func randomText(_ rng: inout SplitMix64) -> String {
        let words = ["Kim", "Putin", "Lavrov", "Moscow", "Pyongyang", "talks", "the", "visit", "said", "and",
                     "Лавров", "Москве", "встреча", "김정은", "푸틴과", "회담", "2018", "3,000", "Ri", "Yong-ho",
                     ".", ",", "\n", "missile", "treaty", "Khabarovsk", "é", "北朝鮮", "ミサイル"]
        var s = ""
        for _ in 0..<Int(rng.next() % 120) { s += words[Int(rng.next() % UInt64(words.count))] + " " }
        return s
    }

    @Test func fingerprintDeterministicAndSimilaritySymmetric() {
        var rng = SplitMix64(seed: 0xD1_5EED)
        var prints: [StoryFingerprint] = []
        for _ in 0..<200 {
            let title = Self.randomText(&rng)
            let text = Self.randomText(&rng)
            let date = Date(timeIntervalSince1970: Double(rng.next() % 2_000_000_000))
            let f = StoryGrouping.fingerprint(title: title, text: text, published: date)
            #expect(f == StoryGrouping.fingerprint(title: title, text: text, published: date))
            #expect(StoryFingerprint(encoded: f.encoded()) == f)
            #expect(f.tokens.count <= StoryGrouping.maxTokens)
            prints.append(f)
        }
        for i in 0..<prints.count {
            let j = Int(rng.next() % UInt64(prints.count))
            let s1 = StoryGrouping.similarity(prints[i], prints[j])
            let s2 = StoryGrouping.similarity(prints[j], prints[i])
            #expect(s1 == s2)
            #expect(s1 >= 0 && s1 <= 1)
            #expect(StoryGrouping.sameStory(prints[i], prints[j]) == StoryGrouping.sameStory(prints[j], prints[i]))
            if !prints[i].tokens.isEmpty { #expect(StoryGrouping.similarity(prints[i], prints[i]) > 0.999) }
        }
    }
}
