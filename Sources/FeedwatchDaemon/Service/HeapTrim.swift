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
public enum HeapTrim {
    /// glibc's `malloc_trim`, looked up at run time: `<malloc.h>` is not in
    /// the Glibc module map, and other C libraries (musl) do not have it.
    private static let mallocTrim = glibc("malloc_trim", as: (@convention(c) (Int) -> Int32).self)

    static var isAvailable: Bool { mallocTrim != nil }

    /// glibc's `mallopt`, looked up like `malloc_trim`.
    private static let mallopt = glibc("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self)

    /// A C function of the running process by name, or nil where there is none.
    private static func glibc<F>(_ name: String, as type: F.Type) -> F? {
        #if canImport(Glibc)
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(sym, to: type)
        #else
        return nil
        #endif
    }

    /// Caps the number of malloc arenas (`M_ARENA_MAX`, glibc's default is
    /// 8 per core). Every thread that first allocates while the others hold
    /// their arenas gets a new one, and each arena keeps its own fragments:
    /// the daemon's pool, committer, libcurl and SQLite threads would spread
    /// the same working set over up to 16 heaps here, and resident memory
    /// drifts upward as each heap's high-water mark is reached at a
    /// different time. Two arenas bound that drift; the daemon allocates
    /// little per second, so contention on them costs nothing measurable.
    /// Only for the long-running daemon, set before it starts its threads
    /// (arenas already handed out stay). Returns true when glibc took it.
    @discardableResult
    public static func limitArenas(_ count: Int32) -> Bool {
        let M_ARENA_MAX: Int32 = -8  // <malloc.h>
        return mallopt.map { $0(M_ARENA_MAX, count) == 1 } ?? false
    }

    /// True when memory was released.
    static func release() -> Bool {
        mallocTrim.map { $0(0) == 1 } ?? false
    }
}
