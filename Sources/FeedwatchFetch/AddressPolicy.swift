/// Classification of the IP address a hop actually connects to, for the
/// redirect rule of CONTRACT.md: a redirect from a public address into
/// loopback, private or link-local ranges is refused unless
/// `allow_private_networks` (SSRF guard: a public feed must not be able to
/// steer the daemon at 127.0.0.1:6379 or a cloud metadata endpoint).
public enum AddressClass: Sendable, Equatable {
    case publicAddress
    /// Loopback, RFC 1918/4193 private, link-local, CGNAT, unspecified,
    /// multicast, reserved: anything that is not globally routable unicast.
    case nonPublic
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Dotted quad or (uncompressed-zero-run) IPv6 text; also parses the
    /// forms libcurl's CURLINFO_PRIMARY_IP returns.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v6 = IPAddress.parseIPv6(text) else { return nil }
            bytes = v6
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var out: [UInt8] = []
            for p in parts {
                guard let v = UInt8(p) else { return nil }
                out.append(v)
            }
            bytes = out
        }
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }  // zone id
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if i == items.count - 1, item.contains(".") {
                    guard let v4 = IPAddress(String(item)), v4.bytes.count == 4 else { return nil }
                    out += v4.bytes
                } else {
                    guard item.count <= 4, let v = UInt16(item, radix: 16) else { return nil }
                    out += [UInt8(v >> 8), UInt8(v & 0xff)]
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// RFC 6890 special-purpose registries, reduced to "globally reachable or not".
    public var classification: AddressClass {
        if bytes.count == 4 { return IPAddress.classifyV4(bytes[0], bytes[1], bytes[2], bytes[3]) }
        let b = bytes
        // ::ffff:a.b.c.d (IPv4-mapped, RFC 4291 §2.5.5.2) and 64:ff9b::/96
        // (NAT64, RFC 6052) embed an IPv4 address: judge that one.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {
            return IPAddress.classifyV4(b[12], b[13], b[14], b[15])
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return IPAddress.classifyV4(b[12], b[13], b[14], b[15])
        }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return .nonPublic }     // :: and ::1
        if b[0] & 0xfe == 0xfc { return .nonPublic }                     // fc00::/7 unique local
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .nonPublic }     // fe80::/10 link-local
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .nonPublic }     // fec0::/10 site-local (deprecated)
        if b[0] == 0xff { return .nonPublic }                            // multicast
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .nonPublic } // documentation
        return .publicAddress
    }

    private static func classifyV4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> AddressClass {
        switch a {
        case 0, 10, 127: return .nonPublic                      // this-network, RFC 1918, loopback
        case 100 where b & 0xc0 == 64: return .nonPublic        // 100.64/10 shared (CGNAT), RFC 6598
        case 169 where b == 254: return .nonPublic              // link-local (cloud metadata lives here)
        case 172 where b & 0xf0 == 16: return .nonPublic        // 172.16/12
        case 192 where b == 168: return .nonPublic              // 192.168/16
        case 192 where b == 0 && c == 0: return .nonPublic      // 192.0.0/24 IETF protocol assignments
        case 198 where b & 0xfe == 18: return .nonPublic        // 198.18/15 benchmarking
        case 224...255: return .nonPublic                       // multicast, reserved, broadcast
        default: return .publicAddress
        }
    }
}
