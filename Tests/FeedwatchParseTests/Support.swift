import Foundation
@testable import FeedwatchParse

/// Fixture bytes, located next to this file (no bundle resources needed).
func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
    return [UInt8](try Data(contentsOf: url))
}

func parse(_ s: String, contentType: String? = nil, baseURL: String? = nil) throws -> ParsedFeed {
    try FeedParser.parse(Array(s.utf8), contentType: contentType, baseURL: baseURL)
}

func rfc3339(_ d: Date?) -> String? { d.map(DateParser.rfc3339) }

/// Deterministic PRNG (SplitMix64) so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
