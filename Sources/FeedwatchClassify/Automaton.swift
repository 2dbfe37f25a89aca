/// Aho–Corasick automaton over the bytes of the normalized text (Aho & Corasick,
/// "Efficient string matching", CACM 18(6), 1975), compiled into a full DFA:
/// every (state, byte class) has its next state precomputed, so matching costs one
/// table load per byte however many terms there are, and every occurrence of every
/// pattern (overlapping ones included) is reported.
///
/// Bytes that occur in no pattern share one class, which keeps the table small
/// (states × classes, typically well under a few MB). States are numbered so that all
/// states with outputs come last: the hot loop tests `state >= firstOutputState`.
struct Automaton: Sendable {
    /// Next state (for tests and diagnostics; the scanner reads the tables directly).
    func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        let i = Int(state) << rowShift + Int(byteClass[Int(byte)])
        return transitions16.isEmpty ? transitions32[i] : Int32(transitions16[i])
    }

    let byteClass: [UInt8]          // 256 entries
    let classCount: Int
    /// Row length of the transition table: classCount rounded up to a power of two, so the
    /// scan computes a row with a shift instead of a multiplication on its critical path.
    let rowShift: Int
    /// Next state per (state * classCount + class): 16-bit entries while the automaton has
    /// at most 65,536 states (halves the table, which is what the scan's speed depends on:
    /// one table load per byte, mostly cache misses), 32-bit beyond.
    let transitions16: [UInt16]
    let transitions32: [Int32]
    let firstOutputState: Int32
    /// For output states (index state - firstOutputState): range in `outputs`.
    let outputStart: [Int32]
    let outputs: [Int32]            // pattern ids
    let stateCount: Int

    init(patterns: [[UInt8]]) {
        // Byte classes.
        var used = [Bool](repeating: false, count: 256)
        for p in patterns { for b in p { used[Int(b)] = true } }
        var byteClass = [UInt8](repeating: 0, count: 256)
        var k = 1
        for b in 0..<256 where used[b] {
            byteClass[b] = UInt8(k)
            k += 1
        }
        precondition(k <= 256)
        let classCount = k

        // Trie in one flat table (children[s * classCount + c], -1 = none), later completed
        // in place into the goto function of the DFA.
        var delta = [Int32](repeating: -1, count: classCount * 64)
        var own: [[Int32]] = [[]]
        var n = 1
        for (pid, p) in patterns.enumerated() {
            var s = 0
            for b in p {
                let c = Int(byteClass[Int(b)])
                if delta[s * classCount + c] < 0 {
                    if (n + 1) * classCount > delta.count {
                        delta.append(contentsOf: repeatElement(-1, count: delta.count))
                    }
                    delta[s * classCount + c] = Int32(n)
                    own.append([])
                    n += 1
                }
                s = Int(delta[s * classCount + c])
            }
            own[s].append(Int32(pid))
        }

        // BFS: failure links, complete transitions, inherited outputs.
        var fail = [Int32](repeating: 0, count: n)
        var out = own
        var queue: [Int32] = []
        queue.reserveCapacity(n)
        for c in 0..<classCount {
            let t = delta[c]
            if t >= 0 { queue.append(t) } else { delta[c] = 0 }
        }
        var head = 0
        while head < queue.count {
            let s = Int(queue[head])
            head += 1
            let f = Int(fail[s])
            if !out[f].isEmpty { out[s].append(contentsOf: out[f]) }
            for c in 0..<classCount {
                let t = delta[s * classCount + c]
                let ft = delta[f * classCount + c]
                if t >= 0 {
                    fail[Int(t)] = ft
                    queue.append(t)
                } else {
                    delta[s * classCount + c] = ft
                }
            }
        }

        // Renumber: states without outputs first (root stays 0), then output states.
        // Breadth-first numbering keeps the shallow states, where the scan spends most of
        // its time, in adjacent rows of the table (fewer cache misses).
        var newID = [Int32](repeating: 0, count: n)
        var next: Int32 = 0
        let bfs = [0] + queue.map(Int.init)
        for s in bfs where out[s].isEmpty { newID[s] = next; next += 1 }
        let firstOutput = next
        var outputStart: [Int32] = []
        var outputs: [Int32] = []
        for s in bfs where !out[s].isEmpty {
            newID[s] = next
            next += 1
            outputStart.append(Int32(outputs.count))
            outputs.append(contentsOf: out[s].sorted())
        }
        outputStart.append(Int32(outputs.count))
        var shift = 0
        while 1 << shift < classCount { shift += 1 }
        var transitions = [Int32](repeating: 0, count: n << shift)
        transitions.withUnsafeMutableBufferPointer { t in
            delta.withUnsafeBufferPointer { d in
                for s in 0..<n {
                    let ns = Int(newID[s]) << shift
                    let os = s * classCount
                    for c in 0..<classCount { t[ns + c] = newID[Int(d[os + c])] }
                }
            }
        }
        self.byteClass = byteClass
        self.classCount = classCount
        self.rowShift = shift
        if n <= 1 << 16 {
            transitions16 = transitions.map { UInt16(truncatingIfNeeded: $0) }
            transitions32 = []
        } else {
            transitions16 = []
            transitions32 = transitions
        }
        self.firstOutputState = firstOutput
        self.outputStart = outputStart
        self.outputs = outputs
        self.stateCount = n
    }
}
