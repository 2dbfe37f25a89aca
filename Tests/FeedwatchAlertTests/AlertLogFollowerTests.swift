import FeedwatchCore
import Foundation
import Testing
@testable import FeedwatchAlert
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AlertLogFollowerTests {
    @Test func lastLinesAcrossChunkBoundaries() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        let text = (0..<3000).map { "{\"id\":\"a-\($0)\",\"pad\":\"\(String(repeating: "p", count: $0 % 97))\"}\n" }.joined()
        writeFile(path, text)
        let last = try AlertLogReader.lastLines(path: path, count: 10)
        #expect(last.count == 10)
        #expect(last.first?.hasPrefix(#"{"id":"a-2990""#) == true)
        #expect(last.last?.hasPrefix(#"{"id":"a-2999""#) == true)
        #expect(try AlertLogReader.lastLines(path: path, count: 5000).count == 3000)
        #expect(try AlertLogReader.lastLines(path: path, count: 0).isEmpty)
        #expect(throws: AlertSinkError.self) { try AlertLogReader.lastLines(path: path + ".missing", count: 1) }
    }

    @Test func followsAppendsAndWaitsForCompleteLines() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        writeFile(path, "l1\nl2\nl3\npart")
        let f = AlertLogFollower(path: path)
        #expect(f.start(lastLines: 2) == ["l2", "l3"])
        #expect(f.poll() == [])
        appendFile(path, "ial\nl5\nl6")
        #expect(f.poll() == ["partial", "l5"])
        #expect(f.poll() == [])
        appendFile(path, "\n")
        #expect(f.poll() == ["l6"])
    }

    @Test func followsAcrossRotationLikeTailF() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        let sink = try AlertLogSink(path: path)
        try sink.deliver(id: "a-1", payload: #"{"id":"a-1"}"#)
        let f = AlertLogFollower(path: path)
        #expect(f.start(lastLines: 10) == [#"{"id":"a-1"}"#])
        try sink.deliver(id: "a-2", payload: #"{"id":"a-2"}"#)
        // Rotation happens before the follower saw a-2; the sink then writes a-3
        // to the new file. Both must come out, in order.
        #expect(rename(path, path + ".1") == 0)
        #expect(f.poll() == [#"{"id":"a-2"}"#]) // path absent: keeps reading the old file
        try sink.deliver(id: "a-3", payload: #"{"id":"a-3"}"#)
        try sink.deliver(id: "a-4", payload: #"{"id":"a-4"}"#)
        #expect(f.poll() == [#"{"id":"a-3"}"#, #"{"id":"a-4"}"#])
        // Rotated and recreated (logrotate `create`) before the next write.
        appendFile(path, "")
        #expect(rename(path, path + ".1") == 0)
        writeFile(path, "")
        try sink.deliver(id: "a-5", payload: #"{"id":"a-5"}"#)
        #expect(f.poll() == [#"{"id":"a-5"}"#])
        #expect(f.poll() == [])
    }

    @Test func restartsAfterTruncation() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        writeFile(path, "old1\nold2\n")
        let f = AlertLogFollower(path: path)
        #expect(f.start(lastLines: 10) == ["old1", "old2"])
        #expect(truncate(path, 0) == 0)
        appendFile(path, "new\n")
        #expect(f.poll() == ["new"])
    }

    @Test func waitsForALogThatDoesNotExistYet() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        let f = AlertLogFollower(path: path)
        #expect(f.start(lastLines: 10) == [])
        #expect(f.poll() == [])
        writeFile(path, "first\n")
        #expect(f.poll() == ["first"])
    }
}
