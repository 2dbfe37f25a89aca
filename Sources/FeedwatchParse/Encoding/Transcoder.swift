#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one iconv conversion descriptor (DESIGN.md rule 5) and closes it in deinit.
final class IconvHandle {
    private let cd: iconv_t

    /// Nil when iconv does not know `encoding`.
    init?(from encoding: String) {
        let cd = iconv_open("UTF-8", encoding)
        // iconv_open returns (iconv_t)-1 on failure.
        if cd == nil || Int(bitPattern: cd) == -1 { return nil }
        self.cd = cd!
    }

    deinit { iconv_close(cd) }

    /// Converts all of `input` to UTF-8. `strict`: nil on the first invalid or
    /// incomplete sequence. Otherwise each bad byte becomes U+FFFD and conversion
    /// goes on; the flag tells whether that happened.
    func convert(_ input: ArraySlice<UInt8>, strict: Bool) -> (bytes: [UInt8], replaced: Bool)? {
        var out = [UInt8](repeating: 0, count: max(64, input.count * 2 + 16))
        var outUsed = 0
        var replaced = false
        iconv(cd, nil, nil, nil, nil)  // reset shift state
        return input.withUnsafeBufferPointer { inBuf -> ([UInt8], Bool)? in
            guard let inBase = inBuf.baseAddress else { return ([], false) }
            var inPtr = UnsafeMutablePointer(mutating: UnsafeRawPointer(inBase).assumingMemoryBound(to: CChar.self))
            var inLeft = inBuf.count
            while true {
                let (rc, err): (Int, Int32) = out.withUnsafeMutableBufferPointer { ob in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress! + outUsed).assumingMemoryBound(to: CChar.self)
                    var outLeft = ob.count - outUsed
                    var ip: UnsafeMutablePointer<CChar>? = inPtr
                    let r = iconv(cd, &ip, &inLeft, &outPtr, &outLeft)
                    let e = r == -1 ? errno : 0
                    inPtr = ip!
                    outUsed = ob.count - outLeft
                    return (r, e)
                }
                if rc != -1 { break }
                if err == E2BIG {
                    out.append(contentsOf: repeatElement(0, count: max(out.count, 1024)))
                    continue
                }
                // EILSEQ (invalid) or EINVAL (truncated at the end).
                if strict { return nil }
                replaced = true
                if out.count - outUsed < 3 { out.append(contentsOf: repeatElement(0, count: 1024)) }
                out[outUsed] = 0xEF; out[outUsed + 1] = 0xBF; out[outUsed + 2] = 0xBD
                outUsed += 3
                guard inLeft > 0 else { break }
                inPtr += 1
                inLeft -= 1
                iconv(cd, nil, nil, nil, nil)
                if inLeft == 0 { break }
            }
            out.removeSubrange(outUsed...)
            return (out, replaced)
        }
    }
}

enum UTF8Check {
    /// True when `bytes` is well-formed UTF-8 (RFC 3629 §4: no overlongs, no surrogates, ≤ U+10FFFF).
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { firstInvalid($0) == nil }
    }

    static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        var i = 0
        guard let p = b.baseAddress else { return nil }
        while i < n {
            // ASCII fast path, eight bytes at a time.
            while i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { break }
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            let len = sequenceLength(p, i, n)
            if len == 0 { return i }
            i += len
        }
        return nil
    }

    /// Length of the valid sequence starting at i, 0 if invalid.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let c = p[i]
        func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return i + 1 < n && (0xA0...0xBF).contains(p[i + 1]) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return i + 1 < n && (0x80...0x9F).contains(p[i + 1]) && cont(2) ? 3 : 0
        case 0xF0:
            return i + 1 < n && (0x90...0xBF).contains(p[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return i + 1 < n && (0x80...0x8F).contains(p[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Copy with every invalid byte replaced by U+FFFD.
    static func repaired(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBufferPointer { b in
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 16)
            guard let p = b.baseAddress else { return out }
            var i = 0
            while i < b.count {
                if p[i] < 0x80 { out.append(p[i]); i += 1; continue }
                let len = sequenceLength(p, i, b.count)
                if len == 0 {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    i += 1
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(start: p + i, count: len))
                    i += len
                }
            }
            return out
        }
    }
}

import Foundation

/// iconv_open loads (dlopen) a gconv module and iconv_close unloads it; doing
/// that per document dominated legacy-encoding parses. Converters are kept
/// here between documents, one user at a time each (iconv descriptors are
/// stateful and not thread-safe).
final class IconvPool: @unchecked Sendable {  // all state behind `lock`
    static let shared = IconvPool()
    private let lock = NSLock()
    private var idle: [String: [IconvHandle]] = [:]
    private var unknown: Set<String> = []

    /// Runs `body` with a converter from `encoding` to UTF-8; nil when iconv does not know it.
    func with<T>(_ encoding: String, _ body: (IconvHandle) -> T) -> T? {
        lock.lock()
        if unknown.contains(encoding) { lock.unlock(); return nil }
        let pooled = idle[encoding]?.popLast()
        lock.unlock()
        guard let handle = pooled ?? IconvHandle(from: encoding) else {
            lock.lock(); unknown.insert(encoding); lock.unlock()
            return nil
        }
        let result = body(handle)
        lock.lock()
        if idle[encoding, default: []].count < 4 { idle[encoding, default: []].append(handle) }
        lock.unlock()
        return result
    }
}
