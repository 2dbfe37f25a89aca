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

    /// The daemon's arena cap reaches glibc (mallopt accepts M_ARENA_MAX),
    /// and allocation from many threads keeps working under it.
    @Test func arenaCapIsAccepted() async {
        #expect(HeapTrim.limitArenas(2))
        let sums = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var total = 0
                    for i in 0..<2000 {
                        let a = [Int](repeating: t &+ i, count: 64)
                        total &+= a[63]
                    }
                    return total
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sums.sorted() == (0..<8).map { t in (0..<2000).reduce(0) { $0 + t + $1 } })
    }
}
