internal import CFeedwatchXML2

/// gzip (RFC 1952) decompression with an output cap, for feed files stored or
/// served compressed. Owns its zlib stream (DESIGN.md rule 5).
final class InflateHandle {
    private var stream = z_stream()
    private var ready = false

    init?() {
        // 15 window bits + 16: expect a gzip header (zlib.h, inflateInit2).
        let rc = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { return nil }
        ready = true
    }

    deinit { if ready { inflateEnd(&stream) } }

    enum Failure: Error { case corrupt(String), tooLarge }

    func inflateAll(_ input: [UInt8], limit: Int) -> Result<[UInt8], Failure> {
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, max(4096, input.count * 4)))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        return input.withUnsafeBufferPointer { inBuf -> Result<[UInt8], Failure> in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                let (rc, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    return (rc, c.count - Int(stream.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                if out.count > limit { return .failure(.tooLarge) }
                if rc == Z_STREAM_END {
                    // Concatenated gzip members (RFC 1952 §2.2): keep going.
                    if stream.avail_in > 0 { inflateReset(&stream); continue }
                    return .success(out)
                }
                if rc == Z_BUF_ERROR && stream.avail_in == 0 {
                    return .success(out)  // truncated: keep what we have
                }
                if rc != Z_OK {
                    let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                    return out.isEmpty ? .failure(.corrupt(msg)) : .success(out)
                }
            }
        }
    }
}
