#if canImport(Glibc)
import Glibc
#endif

/// Hands freed heap memory back to the kernel.
///
/// glibc keeps memory freed by a thread in that thread's arena and returns it
/// to the kernel only from the top of the main heap; a long-running process
/// whose allocations come and go on many threads (the concurrency pool, the
/// committer, libcurl's thread, SQLite's connections) sees its resident size
/// creep up with fragments nobody uses. `malloc_trim(0)` releases the free
/// pages of every arena (glibc ≥ 2.8 madvises free chunks inside the heaps,
/// not just the top), so resident memory follows what is actually in use.
/// Cheap when there is little to release; the daemon calls it once a minute,
/// off the cooperative pool.
enum HeapTrim {
    /// glibc's `malloc_trim`, looked up at run time: `<malloc.h>` is not in
    /// the Glibc module map, and other C libraries (musl) do not have it.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    static var isAvailable: Bool { mallocTrim != nil }

    /// True when memory was released.
    static func release() -> Bool {
        mallocTrim.map { $0(0) == 1 } ?? false
    }
}
