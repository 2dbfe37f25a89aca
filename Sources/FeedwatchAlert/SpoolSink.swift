import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The alert spool: a Maildir (`tmp/`, `new/`, `cur/`; see maildir(5) and
/// D. J. Bernstein's "Using maildir format") holding one JSON file per alert
/// (CONTRACT.md, "Alert spool and alert log").
///
/// Delivery follows Maildir's rule: write the file in `tmp/`, fsync it, rename
/// it into `new/` (rename(2) is atomic, so a reader never sees a partial
/// file), then fsync `new/` so the entry itself survives a power cut. Only
/// after `deliver` returns may the caller mark the alert delivered.
///
/// File names are `<id>.json`, derived from the alert's stable id, so a
/// re-delivery after a crash cannot make a second file. Maildir readers move
/// files from `new/` to `cur/`, appending an info suffix (`:2,S`); a
/// re-delivery therefore first looks for the id in `new/` and `cur/` and
/// writes nothing if it is there.
///
/// One writer per spool (the daemon) is assumed, as in Maildir; the lock only
/// serialises callers within this process.
public final class SpoolSink: @unchecked Sendable { // @unchecked: all mutable work is under `lock`
    public let directory: String
    private let tmpDir: String
    private let newDir: String
    private let curDir: String
    private let lock = NSLock()

    /// Creates the directory and its `tmp/`, `new/`, `cur/` with mode 0700 when
    /// missing, and removes partial files a crash left in `tmp/` (only ours:
    /// names ending in `.json`).
    public init(directory: String) throws(AlertSinkError) {
        self.directory = directory
        tmpDir = directory + "/tmp"
        newDir = directory + "/new"
        curDir = directory + "/cur"
        try Posix.makeDirectories(directory, mode: 0o700)
        for sub in [tmpDir, newDir, curDir] {
            try Posix.makeDirectories(sub, mode: 0o700)
        }
        guard let leftovers = Posix.listDirectory(tmpDir) else {
            throw AlertSinkError.system("opendir", tmpDir)
        }
        for name in leftovers where name.hasSuffix(".json") {
            unlink(tmpDir + "/" + name)
        }
    }

    /// Writes `payload` (normally `AlertJSON.encode(alert)`) as the spool file
    /// of `id`, durably; does nothing if the spool already holds that id in
    /// `new/` or `cur/`. Throws on any failure, leaving no partial file in
    /// `new/` (a partial `tmp/` file is removed when possible, and overwritten
    /// or cleaned up later otherwise).
    public func deliver(id: String, payload: String) throws(AlertSinkError) {
        let name = try Self.fileName(for: id)
        lock.lock()
        defer { lock.unlock() }
        if containsLocked(name: name) { return }

        let tmpPath = tmpDir + "/" + name
        let newPath = newDir + "/" + name
        // O_TRUNC: a leftover tmp file of the same id (crash mid-write) is
        // overwritten. O_NOFOLLOW: never write through a planted symlink.
        let fd = open(tmpPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AlertSinkError.system("open", tmpPath) }
        var bytes = Array(payload.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        do {
            try Posix.writeAll(fd, bytes, path: tmpPath)
            try Posix.fsyncFD(fd, path: tmpPath)
        } catch {
            close(fd)
            unlink(tmpPath)
            throw error
        }
        if close(fd) != 0 {
            let e = Posix.errno
            unlink(tmpPath)
            throw AlertSinkError.system("close", tmpPath, e)
        }
        if rename(tmpPath, newPath) != 0 {
            let e = Posix.errno
            unlink(tmpPath)
            throw AlertSinkError.system("rename", newPath, e)
        }
        try Posix.fsyncDirectory(newDir)
    }

    /// True if the spool holds the alert in `new/` or `cur/` (under any
    /// Maildir info suffix).
    public func contains(id: String) -> Bool {
        guard let name = try? Self.fileName(for: id) else { return false }
        lock.lock()
        defer { lock.unlock() }
        return containsLocked(name: name)
    }

    /// The path the alert has (or would have) in `new/`.
    public func newPath(id: String) throws(AlertSinkError) -> String {
        newDir + "/" + (try Self.fileName(for: id))
    }

    private func containsLocked(name: String) -> Bool {
        if Posix.exists(newDir + "/" + name) || Posix.exists(curDir + "/" + name) { return true }
        // Info suffixes: ":2,FLAGS" (maildir(5)); some readers use "!" or ";"
        // where ":" is not allowed in file names.
        guard let entries = Posix.listDirectory(curDir) else { return false }
        for entry in entries where entry.hasPrefix(name) {
            let rest = entry.utf8.dropFirst(name.utf8.count)
            if let sep = rest.first, sep == UInt8(ascii: ":") || sep == UInt8(ascii: "!") || sep == UInt8(ascii: ";") {
                return true
            }
        }
        return false
    }

    /// `<id>.json`, with every byte outside `[A-Za-z0-9._-]` (and a leading
    /// dot, which would hide the file) written as `%XX`, so the name has no
    /// `/`, no Maildir info separator `:` and no control characters, and
    /// distinct ids give distinct names.
    static func fileName(for id: String) throws(AlertSinkError) -> String {
        guard !id.isEmpty else { throw .invalidID(id) }
        var name = ""
        for (i, b) in id.utf8.enumerated() {
            let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2D || b == 0x5F || (b == 0x2E && i > 0)
            if safe {
                name.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                name += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        // NAME_MAX is 255; leave room for ".json" and a reader's ":2,FLAGS".
        guard name.utf8.count <= 200 else { throw .invalidID(id) }
        return name + ".json"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
