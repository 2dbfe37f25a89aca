import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchClassify

/// Inputs found by (or written for) the libFuzzer target in Fuzz/Keywords/ (issue 7,
/// Fuzz/README.md). Each file in Fixtures/fuzz/ once crashed, hung or nearly did;
/// the TOML reader and the keyword loader must now return a value or
/// `ConfigProblems` naming a line, and loaded rules must score an article.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
    }

    @Test func folderIsNotEmpty() {
        #expect(!Self.files.isEmpty, "no fuzz regression inputs in \(Self.folder.path)")
    }

    @Test(arguments: files)
    func loadsWithoutCrashing(_ name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
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
}
