import Foundation
@testable import FeedwatchParse
import FeedwatchTestSupport
import FeedwatchCore

/// Fixture bytes, located next to this file (no bundle resources needed).
func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
    return [UInt8](try Data(contentsOf: url))
}

func parse(_ s: String, contentType: String? = nil, baseURL: String? = nil) throws -> ParsedFeed {
    try FeedParser.parse(Array(s.utf8), contentType: contentType, baseURL: baseURL)
}

func rfc3339(_ d: Date?) -> String? { d.map(RFC3339.format) }

