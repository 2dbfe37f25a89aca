internal import CFeedwatchCurl

/// The body hash: lowercase hex SHA-256 (FIPS 180-4).
///
/// Why SHA-256 rather than a faster non-cryptographic hash (FNV-1a 128,
/// xxHash): the hash decides "this body is unchanged, skip parsing", and the
/// body is chosen by a third party; with SHA-256 nobody can craft a changed
/// body that keeps the old hash, and the value is the familiar one operators
/// can check with `sha256sum`. Why libcrypto rather than Swift: it is already
/// linked (libcurl's TLS) and uses the CPU's SHA extensions; a plain Swift
/// SHA-256 took 43 % of the fetcher's CPU in Benchmarks/fetch, enough to lose
/// to curl on a 2-core machine where nginx's gzip takes the other core.
enum BodyDigest {
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBytes { src in
            digest.withUnsafeMutableBufferPointer { out in
                // Safe: `src` is valid for `src.count` bytes and `out` has the
                // 32 bytes EVP_sha256 writes.
                fw_sha256(src.baseAddress, src.count, out.baseAddress)
            }
        }
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        let table = Array("0123456789abcdef".utf8)
        var hex = [UInt8](repeating: 0, count: 64)
        for (i, b) in digest.enumerated() {
            hex[2 * i] = table[Int(b >> 4)]
            hex[2 * i + 1] = table[Int(b & 15)]
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
