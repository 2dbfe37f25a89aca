import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchClassify
import FeedwatchTestSupport

/// Inputs found by (or written for) the libFuzzer target in Fuzz/Keywords/ (issue 7,
/// Fuzz/README.md). Each file in Fixtures/fuzz/ once crashed, hung or nearly did;
/// the TOML reader and the keyword loader must now return a value or
/// `ConfigProblems` naming a line, and loaded rules must score an article.
@Suite struct FuzzRegressionTests {
    static let fixtures = FuzzFixtures(besides: #filePath)
    static var files: [String] { fixtures.files }

    @Test func folderIsNotEmpty() {
        #expect(!Self.files.isEmpty, "no fuzz regression inputs in \(Self.fixtures.folder.path)")
    }

    @Test(arguments: files)
    func loadsWithoutCrashing(_ name: String) throws {
        let data = try Self.fixtures.contents(name)
        // Same calls as the fuzz harness (Fuzz/Keywords/main.swift).
        let text = String(decoding: data, as: UTF8.self)
        do {
            _ = try TOML.parse(text, file: name)
        } catch {
            #expect(!error.problems.isEmpty)
            #expect(error.problems.allSatisfy { $0.file == name && $0.line >= 1 })
        }
        do {
            let rules = try KeywordRules.load(text: text, file: name)
            let score = rules.score(title: "North Korea and Russia", body: "<p>Kim Jong Un met Putin in Vladivostok.</p>")
            #expect(score.value.isFinite)
            _ = rules.score(title: nil, body: text)
        } catch {
            #expect(!error.problems.isEmpty)
        }
    }

    /// The deep-* inputs (20,000 levels) overflowed the stack in TOMLReader's
    /// recursion (readValue/readArray, MTable.frozen); the reader now stops at
    /// `maxDepth` (100) with a problem on the offending line.
    @Test(arguments: files.filter { $0.hasPrefix("deep-") })
    func deepNestingIsAConfigProblem(_ name: String) throws {
        let data = try Self.fixtures.contents(name)
        let error = #expect(throws: ConfigProblems.self) {
            _ = try TOML.parse(String(decoding: data, as: UTF8.self), file: name)
        }
        #expect(error?.problems.contains { $0.line == 1 && $0.message.contains("nested more than 100 levels") } == true)
    }

    @Test func nestingUpToTheLimitStillLoads() throws {
        // 1 (the key) + 99 arrays = 100 levels; one more array is refused.
        let ok = "a = " + String(repeating: "[", count: 99) + "1" + String(repeating: "]", count: 99)
        let table = try TOML.parse(ok, file: "ok.toml")
        var node = table["a"]
        var levels = 0
        while let inner = node?.array { levels += 1; node = inner.first }
        #expect(levels == 99)
        #expect(node?.integer == 1)
        let tooDeep = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: ConfigProblems.self) { _ = try TOML.parse(tooDeep, file: "deep.toml") }
        // Header keys and dotted keys count too: [a.b] x.y = { z = [1] } is 6 levels.
        let mixed = "[a.b]\nx.y = { z = [1] }\n"
        #expect(try TOML.parse(mixed, file: "m.toml")["a"]?.table?["b"]?.table?["x"]?.table?["y"]?.table?["z"]?.array?.count == 1)
    }
}
