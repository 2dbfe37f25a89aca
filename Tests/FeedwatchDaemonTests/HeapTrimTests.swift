#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FeedwatchDaemon

@Suite struct HeapTrimTests {
    /// Freed small blocks stay in the heap until trimmed; the trim finds
    /// glibc's malloc_trim and reports that it released them.
    @Test func releasesFreedHeapPages() {
        #expect(HeapTrim.isAvailable)
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<8192 {
            guard let p = malloc(4096) else { continue }
            memset(p, 0xA5, 4096)   // touch: resident
            blocks.append(p)
        }
        // Keep the last block so the freed ones are not simply the heap's top.
        for p in blocks.dropLast() { free(p) }
        #expect(HeapTrim.release())
        free(blocks.last!)
    }
}
