#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a sink could not take an alert. The caller keeps the alert in the
/// outbox and retries later: nothing is dropped (issue 5, "Disk full or an
/// unwritable spool").
public enum AlertSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: which operation, on which path, errno and its text
    /// (`ENOSPC` disk full, `EACCES`, `EROFS`, `ENOTDIR` …).
    case io(operation: String, path: String, errno: Int32, message: String)
    /// The alert id cannot name a spool file (empty or too long).
    case invalidID(String)
    /// A log payload must be exactly one line.
    case invalidPayload(id: String, reason: String)

    public var description: String {
        switch self {
        case let .io(operation, path, _, message):
            return "\(operation) \(path): \(message)"
        case let .invalidID(id):
            return "alert id cannot name a spool file: \(id.debugDescription)"
        case let .invalidPayload(id, reason):
            return "alert \(id) payload: \(reason)"
        }
    }

    /// The path involved, if any.
    public var path: String? {
        if case let .io(_, path, _, _) = self { return path }
        return nil
    }

    /// The errno of a failed system call, if any.
    public var errno: Int32? {
        if case let .io(_, _, code, _) = self { return code }
        return nil
    }

    /// True for "no space left" and "quota exceeded": transient, retry later.
    public var isDiskFull: Bool {
        errno == ENOSPC || errno == EDQUOT
    }

    static func system(_ operation: String, _ path: String, _ code: Int32 = Posix.errno) -> AlertSinkError {
        .io(operation: operation, path: path, errno: code, message: Posix.describe(code))
    }
}

/// Thin, checked wrappers over the few system calls the sinks need. Kept in
/// one place so every failure becomes an `AlertSinkError` with path and errno.
enum Posix {
    static var errno: Int32 {
        #if canImport(Glibc)
        return Glibc.errno
        #elseif canImport(Musl)
        return Musl.errno
        #else
        return Darwin.errno
        #endif
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Creates `path` and missing parents with `mode` (existing directories
    /// are left as they are: the operator may have chosen their mode).
    static func makeDirectories(_ path: String, mode: mode_t) throws(AlertSinkError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw .io(operation: "mkdir", path: path, errno: ENOTDIR, message: describe(ENOTDIR))
            }
            return
        }
        let parent = parentDirectory(path)
        if parent != path, !parent.isEmpty {
            try makeDirectories(parent, mode: mode)
        }
        if mkdir(path, mode) != 0 {
            let e = errno
            if e == EEXIST, stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return }
            throw AlertSinkError.system("mkdir", path, e)
        }
    }

    static func parentDirectory(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// write(2) until every byte is written; retries EINTR. A short write
    /// that makes no progress reports the errno that stopped it.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AlertSinkError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw AlertSinkError.system("write", path, e)
            }
            if n == 0 { throw AlertSinkError.system("write", path, EIO) }
            offset += n
        }
    }

    static func fsyncFD(_ fd: Int32, path: String) throws(AlertSinkError) {
        while fsync(fd) != 0 {
            let e = errno
            if e == EINTR { continue }
            throw AlertSinkError.system("fsync", path, e)
        }
    }

    /// Makes a directory entry durable (a rename or create is on disk only
    /// once its directory is synced: fsync(2), "Calling fsync() does not
    /// necessarily ensure that the entry in the directory … has also reached
    /// disk").
    static func fsyncDirectory(_ path: String) throws(AlertSinkError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AlertSinkError.system("open", path) }
        defer { close(fd) }
        try fsyncFD(fd, path: path)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Names in a directory (without "." and ".."); nil if it cannot be read.
    static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
