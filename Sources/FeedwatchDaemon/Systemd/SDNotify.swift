import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The service manager notification protocol, spoken without libsystemd
/// (sd_notify(3), "Notes": a datagram to the AF_UNIX socket in
/// `$NOTIFY_SOCKET`; a name starting with `@` is in the abstract namespace).
///
/// Messages the daemon sends (sd_notify(3), "Well-known assignments"):
/// `READY=1` once the store is open and the config loaded; `STATUS=…` one
/// line for `systemctl status`; `WATCHDOG=1` every `watchdogInterval`;
/// `RELOADING=1` + `MONOTONIC_USEC=…` then `READY=1` around a reload;
/// `STOPPING=1` on shutdown.
///
/// Every `send` opens its own socket, as sd_notify does: no state to share
/// between tasks, and the cost is negligible at watchdog rates.
public struct SDNotify: Sendable, Equatable {
    /// `$NOTIFY_SOCKET` as given: an absolute path or `@abstract-name`.
    public let socketPath: String
    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, as
    /// sd_watchdog_enabled(3) recommends; nil when the watchdog is off or
    /// meant for another process (`$WATCHDOG_PID` names a different PID).
    public let watchdogInterval: Duration?

    public init(socketPath: String, watchdogInterval: Duration? = nil) {
        self.socketPath = socketPath
        self.watchdogInterval = watchdogInterval
    }

    /// The notifier systemd set up for this process, or nil when not run
    /// by systemd with `Type=notify` (no or unusable `$NOTIFY_SOCKET`).
    public static func fromEnvironment() -> SDNotify? {
        fromEnvironment(ProcessInfo.processInfo.environment, pid: getpid())
    }

    /// Testable core of `fromEnvironment()`.
    public static func fromEnvironment(_ env: [String: String], pid: Int32) -> SDNotify? {
        guard let socket = env["NOTIFY_SOCKET"], socket.hasPrefix("/") || socket.hasPrefix("@"),
              socket.utf8.count > 1, socket.utf8.count < sunPathCapacity
        else { return nil }
        return SDNotify(socketPath: socket, watchdogInterval: watchdogInterval(env, pid: pid))
    }

    /// sd_watchdog_enabled(3): `WATCHDOG_USEC` is the timeout in µs; if
    /// `WATCHDOG_PID` is set it must be our PID, otherwise the watchdog is for
    /// some other process (a parent that forked us).
    static func watchdogInterval(_ env: [String: String], pid: Int32) -> Duration? {
        guard let text = env["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = env["WATCHDOG_PID"] {
            guard let ownerPID = Int32(owner), ownerPID == pid else { return nil }
        }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// Sends one notification (several `KEY=value` lines may be joined by
    /// `\n`). Returns false if it could not be sent; the daemon carries on
    /// regardless, since systemd is only an observer here.
    @discardableResult
    public func send(_ state: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // A blocked notification must not stall the daemon for long (the
        // receiver is PID 1; if it is that busy, a late ping is as good as a
        // lost one).
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // Abstract namespace (unix(7)): sun_path starts with NUL, and the
        // address length counts exactly the name's bytes, no terminator.
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        guard pathBytes.count < Self.sunPathCapacity else { return false }
        // Safe: the guard above keeps the copy (plus the terminator that the
        // zeroed struct already holds) inside sun_path.
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let length = socklen_t(pathOffset + pathBytes.count + (abstract ? 0 : 1))

        let payload = Array(state.utf8)
        let sent = payload.withUnsafeBytes { buf in
            withUnsafePointer(to: &addr) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), sa, length)
                }
            }
        }
        return sent == payload.count
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` that systemd ≥ 253 requires
    /// for `Type=notify-reload` and accepts otherwise (sd_notify(3)).
    @discardableResult
    public func reloading() -> Bool {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// CLOCK_MONOTONIC in µs, the clock systemd compares `MONOTONIC_USEC` to.
    public static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// Sends `STATUS=<text>` (one line; see `statusLine`).
    @discardableResult
    public func status(_ text: String) -> Bool {
        send(Self.statusLine(text))
    }

    /// A `STATUS=` value must be one line: anything after a line break would
    /// be parsed as further assignments.
    public static func statusLine(_ text: String) -> String {
        "STATUS=" + text.map { $0.isNewline ? " " : String($0) }.joined()
    }

    static let sunPathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
}
