import FeedwatchCore
import Foundation
import Testing
@testable import FeedwatchAlert
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpoolSinkTests {
    @Test func createsMaildirWith0700AndDeliversOneFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let dir = tmp.file("deep/spool")
        let spool = try SpoolSink(directory: dir)
        for sub in ["", "/tmp", "/new", "/cur"] { #expect(mode(dir + sub) == 0o700, "mode of \(sub)") }

        let payload = AlertJSON.encode(sampleAlert(id: "a-1"))
        #expect(!spool.contains(id: "a-1"))
        try spool.deliver(id: "a-1", payload: payload)
        #expect(listing(dir + "/new") == ["a-1.json"])
        #expect(listing(dir + "/tmp").isEmpty)
        #expect(readFile(dir + "/new/a-1.json") == payload + "\n")
        #expect(spool.contains(id: "a-1"))
        #expect(mode(dir + "/new/a-1.json") == 0o600)
    }

    @Test func redeliveryIsIdempotent() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let spool = try SpoolSink(directory: tmp.path)
        let payload = AlertJSON.encode(sampleAlert(id: "a-2"))
        try spool.deliver(id: "a-2", payload: payload)
        try spool.deliver(id: "a-2", payload: payload)
        // A second process (restart after a crash) redelivers too.
        try SpoolSink(directory: tmp.path).deliver(id: "a-2", payload: payload)
        #expect(listing(tmp.path + "/new") == ["a-2.json"])
        #expect(listing(tmp.path + "/cur").isEmpty)
    }

    @Test(arguments: ["a-3.json:2,S", "a-3.json:2,", "a-3.json!2,RS", "a-3.json"])
    func alertMovedToCurIsNotRecreated(curName: String) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let spool = try SpoolSink(directory: tmp.path)
        let payload = AlertJSON.encode(sampleAlert(id: "a-3"))
        try spool.deliver(id: "a-3", payload: payload)
        // A Maildir reader takes it.
        #expect(rename(tmp.path + "/new/a-3.json", tmp.path + "/cur/" + curName) == 0)
        #expect(spool.contains(id: "a-3"))
        try spool.deliver(id: "a-3", payload: payload)
        try SpoolSink(directory: tmp.path).deliver(id: "a-3", payload: payload)
        #expect(listing(tmp.path + "/new").isEmpty)
        #expect(listing(tmp.path + "/cur") == [curName])
    }

    @Test func similarIdsInCurDoNotHideAnAlert() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let spool = try SpoolSink(directory: tmp.path)
        writeFile(tmp.path + "/cur/a-4.json2:2,S", "{}")  // "a-4.json2" is another alert
        #expect(!spool.contains(id: "a-4"))
        try spool.deliver(id: "a-4", payload: "{}")
        #expect(listing(tmp.path + "/new") == ["a-4.json"])
    }

    @Test func leftoverTmpFilesFromACrashAreCleanedOrOverwritten() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        _ = try SpoolSink(directory: tmp.path)
        // A crash mid-write leaves a partial file in tmp/.
        writeFile(tmp.path + "/tmp/a-5.json", #"{"id":"a-5","tit"#)
        writeFile(tmp.path + "/tmp/other-reader-file", "not ours")
        let spool = try SpoolSink(directory: tmp.path)
        #expect(listing(tmp.path + "/tmp") == ["other-reader-file"])

        // And if one appears while running (same name), deliver overwrites it.
        writeFile(tmp.path + "/tmp/a-6.json", String(repeating: "x", count: 10_000))
        let payload = AlertJSON.encode(sampleAlert(id: "a-6"))
        try spool.deliver(id: "a-6", payload: payload)
        #expect(readFile(tmp.path + "/new/a-6.json") == payload + "\n")
        #expect(listing(tmp.path + "/tmp") == ["other-reader-file"])
        #expect(listing(tmp.path + "/new") == ["a-6.json"])
    }

    @Test func readerNeverSeesAPartialFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let spool = try SpoolSink(directory: tmp.path)
        let newDir = tmp.path + "/new"
        let done = Flag()
        let bad = Counter()
        let seen = Counter()
        // A reader thread that parses every file it finds in new/ while the
        // writer delivers large alerts: each must be complete JSON.
        let reader = Thread {
            while !done.isSet {
                for name in listing(newDir) {
                    guard let data = FileManager.default.contents(atPath: newDir + "/" + name) else { continue }
                    seen.add()
                    if AlertJSON.decode(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)) == nil {
                        bad.add()
                    }
                }
            }
        }
        reader.start()
        var a = sampleAlert()
        a.summary = String(repeating: "Long summary text. ", count: 20_000) // ~380 KB per file
        for i in 0..<40 {
            a.id = "big-\(i)"
            try spool.deliver(id: a.id, payload: AlertJSON.encode(a))
        }
        done.set()
        while !reader.isFinished { usleep(1000) }
        #expect(bad.value == 0)
        #expect(seen.value > 0)
        #expect(listing(newDir).count == 40)
    }

    @Test func idsThatAreNotFileNamesAreEncoded() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let spool = try SpoolSink(directory: tmp.path)
        try spool.deliver(id: "../x:y/z", payload: "{}")
        try spool.deliver(id: ".hidden", payload: "{}")
        #expect(listing(tmp.path + "/new") == ["%2E.%2Fx%3Ay%2Fz.json", "%2Ehidden.json"])
        #expect(spool.contains(id: "../x:y/z"))
        #expect(throws: AlertSinkError.invalidID("")) { try spool.deliver(id: "", payload: "{}") }
        #expect(throws: AlertSinkError.self) { try spool.deliver(id: String(repeating: "é", count: 100), payload: "{}") }
    }

    @Test func unusableDirectoryIsATypedErrorWithPathAndErrno() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // A regular file where the spool should be: fails even for root.
        let file = tmp.file("not-a-dir")
        writeFile(file, "x")
        do {
            _ = try SpoolSink(directory: file)
            Issue.record("expected an error")
        } catch {
            #expect(error.errno == ENOTDIR)
            #expect(error.path == file)
            #expect(error.description.contains(file))
            #expect(error.description.contains("Not a directory"))
        }
        #expect(throws: AlertSinkError.self) { try SpoolSink(directory: file + "/spool") }

        // The spool breaks after start: tmp/ replaced by a file.
        let dir = tmp.file("spool")
        let spool = try SpoolSink(directory: dir)
        try FileManager.default.removeItem(atPath: dir + "/tmp")
        writeFile(dir + "/tmp", "")
        do {
            try spool.deliver(id: "a-7", payload: "{}")
            Issue.record("expected an error")
        } catch {
            #expect(error.errno == ENOTDIR)
            #expect(error.path == dir + "/tmp/a-7.json")
        }
        #expect(!spool.contains(id: "a-7"))

        // new/ replaced by a file: rename fails, nothing left behind in tmp/.
        try FileManager.default.removeItem(atPath: dir + "/tmp")
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: false)
        try FileManager.default.removeItem(atPath: dir + "/new")
        writeFile(dir + "/new", "")
        #expect(throws: AlertSinkError.self) { try spool.deliver(id: "a-8", payload: "{}") }
        #expect(listing(dir + "/tmp").isEmpty)
    }
}

final class Flag: @unchecked Sendable { // @unchecked: guarded by lock
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

final class Counter: @unchecked Sendable { // @unchecked: guarded by lock
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func add() { lock.withLock { n += 1 } }
}
