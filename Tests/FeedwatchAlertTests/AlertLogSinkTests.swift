import FeedwatchCore
import Foundation
import Testing
@testable import FeedwatchAlert
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AlertLogSinkTests {
    func lines(_ path: String) -> [String] {
        (readFile(path) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func appendsOneLinePerAlertAndCreatesDirectories() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("log/dir/alerts.log")
        let log = try AlertLogSink(path: path)
        #expect(mode(tmp.file("log/dir")) == 0o750)
        let p1 = AlertJSON.encode(sampleAlert(id: "a-1"))
        let p2 = AlertJSON.encode(sampleAlert(id: "a-2"))
        try log.deliver(id: "a-1", payload: p1)
        try log.deliver(id: "a-2", payload: p2)
        try log.deliver(id: "a-1", payload: p1) // already there
        #expect(lines(path) == [p1, p2, ""])
        #expect(mode(path) == 0o640)
    }

    @Test func reopensAfterRotationAndDeletion() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        let log = try AlertLogSink(path: path)
        try log.deliver(id: "a-1", payload: #"{"id":"a-1"}"#)
        // logrotate (no copytruncate): rename to .1; the writer must follow the path.
        #expect(rename(path, path + ".1") == 0)
        try log.deliver(id: "a-2", payload: #"{"id":"a-2"}"#)
        #expect(lines(path + ".1") == [#"{"id":"a-1"}"#, ""])
        #expect(lines(path) == [#"{"id":"a-2"}"#, ""])
        // Rotated again, with the new file created by logrotate's `create`.
        #expect(rename(path, path + ".1") == 0)
        writeFile(path, "")
        try log.deliver(id: "a-3", payload: #"{"id":"a-3"}"#)
        #expect(lines(path) == [#"{"id":"a-3"}"#, ""])
        // Deleted outright.
        #expect(unlink(path) == 0)
        try log.deliver(id: "a-4", payload: #"{"id":"a-4"}"#)
        #expect(lines(path) == [#"{"id":"a-4"}"#, ""])
    }

    @Test func reconcileFindsIdsInTailAndRotatedFileAndSkipsThem() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        do {
            let log = try AlertLogSink(path: path)
            for i in 0..<5 { try log.deliver(id: "a-\(i)", payload: AlertJSON.encode(sampleAlert(id: "a-\(i)"))) }
            #expect(rename(path, path + ".1") == 0)
            for i in 5..<8 { try log.deliver(id: "a-\(i)", payload: AlertJSON.encode(sampleAlert(id: "a-\(i)"))) }
        }
        // "Crash" here: the outbox still thinks a-4 and a-7 are pending. A new
        // process finds them in the log and does not append them again.
        let log = try AlertLogSink(path: path)
        let ids = log.recentIDs()
        #expect(ids == Set((0..<8).map { "a-\($0)" }))
        #expect(log.alreadyLogged(["a-4", "a-7", "a-8", "a-9"]) == ["a-4", "a-7"])
        try log.deliver(id: "a-7", payload: AlertJSON.encode(sampleAlert(id: "a-7")))
        try log.deliver(id: "a-4", payload: AlertJSON.encode(sampleAlert(id: "a-4")))
        try log.deliver(id: "a-8", payload: AlertJSON.encode(sampleAlert(id: "a-8")))
        let all = (lines(path + ".1") + lines(path)).filter { !$0.isEmpty }.compactMap { AlertJSON.decode($0)?.id }
        #expect(all == (0...8).map { "a-\($0)" })
    }

    @Test func recentIDsReadsOnlyTheTailAndSkipsTheCutLine() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        let log = try AlertLogSink(path: path)
        var payloads: [String] = []
        for i in 0..<200 {
            let p = AlertJSON.encode(sampleAlert(id: "a-\(i)"))
            payloads.append(p)
            try log.deliver(id: "a-\(i)", payload: p)
        }
        let lineLen = payloads[199].utf8.count + 1
        let ids = log.recentIDs(maxBytes: lineLen * 10 + lineLen / 2)
        #expect(ids == Set((190..<200).map { "a-\($0)" }))
        #expect(log.recentIDs(maxBytes: lineLen * 10) == Set((190..<200).map { "a-\($0)" }))
        #expect(log.recentIDs(maxBytes: 0).isEmpty)
    }

    @Test func aFragmentLeftByACrashStaysOnItsOwnLine() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.file("alerts.log")
        writeFile(path, "{\"id\":\"a-0\"}\n{\"id\":\"a-1\",\"tit")
        let log = try AlertLogSink(path: path)
        #expect(log.recentIDs() == ["a-0"])
        try log.deliver(id: "a-1", payload: #"{"id":"a-1"}"#)
        #expect(lines(path) == [#"{"id":"a-0"}"#, #"{"id":"a-1","tit"#, #"{"id":"a-1"}"#, ""])
    }

    @Test func rejectsMultiLinePayloads() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let log = try AlertLogSink(path: tmp.file("alerts.log"))
        #expect(throws: AlertSinkError.invalidPayload(id: "x", reason: "contains a line break")) {
            try log.deliver(id: "x", payload: "{\n}")
        }
    }

    @Test func diskFullIsATypedRetryableError() throws {
        // /dev/full fails every write with ENOSPC, like a full disk.
        let log = try AlertLogSink(path: "/dev/full")
        do {
            try log.deliver(id: "a-1", payload: #"{"id":"a-1"}"#)
            Issue.record("expected ENOSPC")
        } catch {
            #expect(error.isDiskFull)
            #expect(error.path == "/dev/full")
            #expect(error.description.contains("No space left on device"))
        }
        // Still not delivered: a retry tries again (and fails again).
        #expect(throws: AlertSinkError.self) { try log.deliver(id: "a-1", payload: #"{"id":"a-1"}"#) }
    }

    @Test func unusablePathIsATypedError() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let file = tmp.file("file")
        writeFile(file, "")
        do {
            _ = try AlertLogSink(path: file + "/alerts.log")
            Issue.record("expected an error")
        } catch {
            #expect(error.errno == ENOTDIR)
            #expect(error.path == file)
        }
        // The log path is a directory.
        #expect(throws: AlertSinkError.self) { try AlertLogSink(path: tmp.path) }
    }
}
