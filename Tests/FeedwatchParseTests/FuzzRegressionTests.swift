import Foundation
import Testing
@testable import FeedwatchParse

/// Inputs found by (or written for) the libFuzzer target in Fuzz/Parse/ (issue 7,
/// Fuzz/README.md). Each file in Fixtures/fuzz/ once crashed, hung or nearly did;
/// the parser must now return a feed or a `ParseError`, and a returned feed must
/// serialise like `feedwatch parse` does it.
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
    func parsesWithoutCrashing(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        // Same calls as the fuzz harness (Fuzz/Parse/main.swift).
        do {
            let feed = try FeedParser.parse(bytes, contentType: nil, baseURL: "http://fuzz.example/feed")
            #expect(!feed.jsonObject(file: name).isEmpty)
        } catch {
            // A typed error with a message an operator can read.
            #expect(!error.description.isEmpty)
        }
    }
}
