import Foundation

/// The inputs a fuzz target once crashed, hung or nearly did on, kept as
/// regression fixtures in a test target's `Fixtures/fuzz/` (Fuzz/README.md).
public struct FuzzFixtures: Sendable {
    public let folder: URL

    /// `testFile`: pass `#filePath` of a file in the test target's folder.
    public init(besides testFile: String) {
        folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")
    }

    /// The fixture file names (the README and dot files excluded), sorted.
    public var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
    }

    public func contents(_ name: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(name))
    }
}
