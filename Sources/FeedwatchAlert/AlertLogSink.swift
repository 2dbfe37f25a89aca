import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The alert log: one JSON object per line, appended (CONTRACT.md, "Alert
/// spool and alert log"), for `tail -F` and `feedwatch tail`.
///
/// - Each line goes out in one write(2) on an `O_APPEND` descriptor, so lines
///   from this process never interleave and a reader sees whole lines; then
///   fdatasync(2), and only then does `deliver` return.
/// - Rotation: before each append the path is stat'ed; if the file is gone or
///   is another inode (logrotate renamed it to `.1`), the log is reopened at
///   the path. So logrotate needs neither `copytruncate` nor a signal.
/// - Crash safety: a crash after the write and before the caller marks the
///   alert delivered would re-append it on restart. `recentIDs` reads the ids
///   in the log's tail (and in the rotated `.1`) so the caller can mark those
///   delivered instead; `deliver` also skips ids it has seen there or written
///   itself, so the log holds each alert once either way.
/// - A failed or short write (disk full) can leave a partial line; the next
///   append starts with a newline so the fragment stays on its own line,
///   where readers skip it as unparseable.
public final class AlertLogSink: @unchecked Sendable { // @unchecked: mutable state only under `lock`
    public let path: String
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var needsLeadingNewline = false
    /// Ids in the log's tail when opened, plus the ids written since — at
    /// most `knownLimit` of them, oldest forgotten first, so months of running
    /// do not grow memory (a redelivery only ever concerns recent alerts).
    private var known: Set<String> = []
    private var knownOrder: [String] = []
    private var knownHead = 0
    private let knownLimit = 16_384
    /// Ids written but whose fdatasync failed: a retry only syncs again.
    private var unsynced: Set<String> = []

    /// How much of the log (and of `.1`) is scanned for ids at open.
    public static let defaultTailBytes = 1 << 20

    /// Opens (creating when missing: the directory 0750, the file 0640) the
    /// log at `path`.
    public init(path: String) throws(AlertSinkError) {
        self.path = path
        try Posix.makeDirectories(Posix.parentDirectory(path), mode: 0o750)
        try openLocked()
        for id in recentIDs() { remember(id) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends `payload` (one line, normally `AlertJSON.encode(alert)`) and
    /// syncs it. Does nothing if the log already holds `id` (see above).
    public func deliver(id: String, payload: String) throws(AlertSinkError) {
        guard !payload.utf8.contains(0x0A), !payload.utf8.contains(0x0D) else {
            throw .invalidPayload(id: id, reason: "contains a line break")
        }
        lock.lock()
        defer { lock.unlock() }
        if unsynced.contains(id) {
            try Posix.fsyncFD(fd, path: path)
            unsynced.removeAll()
            return
        }
        if known.contains(id) { return }
        try reopenIfRotatedLocked()

        var bytes: [UInt8] = needsLeadingNewline ? [0x0A] : []
        bytes += payload.utf8
        bytes.append(0x0A)
        var written = -1
        repeat {
            written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        } while written < 0 && Posix.errno == EINTR
        if written != bytes.count {
            // -1: nothing written, errno says why. A short count: the rest did
            // not fit (regular files only do that when the disk is full).
            let e: Int32 = written < 0 ? Posix.errno : ENOSPC
            if written > 0 { needsLeadingNewline = true } // a fragment reached the file
            throw AlertSinkError.system("write", path, e)
        }
        needsLeadingNewline = false
        remember(id)
        if fdatasync(fd) != 0 {
            let e = Posix.errno
            unsynced.insert(id)
            throw AlertSinkError.system("fdatasync", path, e)
        }
    }

    /// The ids of the alerts in the last `maxBytes` of the log and of its
    /// rotated predecessor `<path>.1` (if present and uncompressed), for
    /// reconciling the outbox on start. Unparseable lines are ignored.
    public func recentIDs(maxBytes: Int = AlertLogSink.defaultTailBytes) -> Set<String> {
        var ids = Set<String>()
        for file in [path + ".1", path] {
            for line in AlertLogReader.tailLines(path: file, maxBytes: maxBytes) {
                if let id = AlertJSON.decodeID(line[...]) { ids.insert(id) }
            }
        }
        return ids
    }

    /// Reconcile on start: of the alerts the outbox still holds as pending
    /// for the log, those the log already has (written before a crash, not
    /// yet marked). The caller marks them delivered instead of appending them.
    public func alreadyLogged(_ pendingIDs: some Sequence<String>, maxBytes: Int = AlertLogSink.defaultTailBytes)
        -> Set<String> {
        let present = recentIDs(maxBytes: maxBytes)
        return Set(pendingIDs.filter { present.contains($0) })
    }

    /// Adds `id` to the bounded set of known ids (a ring over `knownOrder`).
    private func remember(_ id: String) {
        guard known.insert(id).inserted else { return }
        if knownOrder.count < knownLimit {
            knownOrder.append(id)
        } else {
            known.remove(knownOrder[knownHead])
            knownOrder[knownHead] = id
            knownHead = (knownHead + 1) % knownLimit
        }
    }

    // MARK: - Opening and rotation

    private func openLocked() throws(AlertSinkError) {
        let newFD = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard newFD >= 0 else { throw AlertSinkError.system("open", path) }
        var st = stat()
        guard fstat(newFD, &st) == 0 else {
            let e = Posix.errno
            close(newFD)
            throw AlertSinkError.system("fstat", path, e)
        }
        if fd >= 0 { close(fd) }
        fd = newFD
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        // A file that does not end in a newline ends in a fragment (a crash or
        // ENOSPC mid-line, or someone's editor): keep our lines separate.
        needsLeadingNewline = false
        if st.st_size > 0 {
            var last: UInt8 = 0
            let readFD = open(path, O_RDONLY | O_CLOEXEC)
            if readFD >= 0 {
                if pread(readFD, &last, 1, off_t(st.st_size - 1)) == 1, last != 0x0A { needsLeadingNewline = true }
                close(readFD)
            }
        }
    }

    private func reopenIfRotatedLocked() throws(AlertSinkError) {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = Posix.errno
            guard e == ENOENT else { throw AlertSinkError.system("stat", path, e) }
            try openLocked() // moved away and not yet recreated: create it
            return
        }
        if UInt64(st.st_dev) != device || UInt64(st.st_ino) != inode {
            try openLocked()
        }
    }
}
