import Foundation
import Testing
@testable import FeedwatchDaemon

/// `runPass` reads feed states a chunk at a time (64 and more per query):
/// every feed, on either side of a chunk boundary, must poll with its own
/// stored validators — a second pass over an unchanged server is all 304s.
@Suite struct PassPrefetchTests {
    @Test func statesReadInChunksAreEachFeedsOwn() async throws {
        let root = temporaryDirectory("pass-prefetch")
        defer { try? FileManager.default.removeItem(at: root) }
        var routes: [String: Any] = [:]
        for i in 0..<150 {
            routes["/f\(i).xml"] = ["body": rssFeed(title: "Feed \(i)", items: [
                TestItem(title: "Item of feed \(i)", text: "Weather in town \(i).", link: "https://f\(i).example/1",
                         published: Date())]),
                                   "etag": "\"v\(i)\""]
        }
        let server = try TestFeedServer(routes: routes, directory: root.appendingPathComponent("srv"))
        let config = try Faults.writeConfig(dir: root.appendingPathComponent("run"),
                                            feeds: (0..<150).map { server.url("/f\($0).xml") })
        let engine = try Faults.engine(configPath: config)
        let cold = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        #expect(cold.count == 150 && cold.allSatisfy { $0.status == 200 })
        let warm = await engine.runPass(try engine.dueFeeds(now: Date(), all: true))
        #expect(warm.count == 150)
        #expect(warm.allSatisfy { $0.status == 304 }, "\(warm.filter { $0.status != 304 }.map(\.url))")
        // And the 304s were recorded: every feed's state says so.
        #expect(try engine.store.allFeedStates().allSatisfy { $0.lastStatus == 304 })
    }
}
