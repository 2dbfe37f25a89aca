import Foundation
import Testing
@testable import FeedwatchParse
import FeedwatchTestSupport

/// Inputs found by (or written for) the libFuzzer target in Fuzz/Parse/ (issue 7,
/// Fuzz/README.md). Each file in Fixtures/fuzz/ once crashed, hung or nearly did;
/// the parser must now return a feed or a `ParseError`, and a returned feed must
/// serialise like `feedwatch parse` does it.
@Suite struct FuzzRegressionTests {
    static let fixtures = FuzzFixtures(besides: #filePath)
    static var files: [String] { fixtures.files }

    @Test func folderIsNotEmpty() {
        #expect(!Self.files.isEmpty, "no fuzz regression inputs in \(Self.fixtures.folder.path)")
    }

    @Test(arguments: files)
    func parsesWithoutCrashing(_ name: String) throws {
        let bytes = [UInt8](try Self.fixtures.contents(name))
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
