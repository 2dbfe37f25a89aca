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
    let byteClass: [UInt8]          // 256 entries
    let classCount: Int
    let transitions: [Int32]        // state * classCount + class
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

        // Trie.
        var children: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var own: [[Int32]] = [[]]
        for (pid, p) in patterns.enumerated() {
            var s = 0
            for b in p {
                let c = Int(byteClass[Int(b)])
                if children[s][c] < 0 {
                    children[s][c] = Int32(children.count)
                    children.append([Int32](repeating: -1, count: classCount))
                    own.append([])
                }
                s = Int(children[s][c])
            }
            own[s].append(Int32(pid))
        }
        let n = children.count

        // BFS: failure links, complete transitions, inherited outputs.
        var fail = [Int32](repeating: 0, count: n)
        var delta = [Int32](repeating: 0, count: n * classCount)
        var out = own
        var queue: [Int] = []
        queue.reserveCapacity(n)
        for c in 0..<classCount {
            let t = children[0][c]
            if t >= 0 {
                delta[c] = t
                fail[Int(t)] = 0
                queue.append(Int(t))
            } else {
                delta[c] = 0
            }
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            out[s].append(contentsOf: out[Int(fail[s])])
            for c in 0..<classCount {
                let t = children[s][c]
                if t >= 0 {
                    fail[Int(t)] = delta[Int(fail[s]) * classCount + c]
                    delta[s * classCount + c] = t
                    queue.append(Int(t))
                } else {
                    delta[s * classCount + c] = delta[Int(fail[s]) * classCount + c]
                }
            }
        }

        // Renumber: states without outputs first (root stays 0), then output states.
        var newID = [Int32](repeating: 0, count: n)
        var next: Int32 = 0
        for s in 0..<n where out[s].isEmpty { newID[s] = next; next += 1 }
        let firstOutput = next
        var outputStart: [Int32] = []
        var outputs: [Int32] = []
        var order: [Int] = []
        for s in 0..<n where !out[s].isEmpty { newID[s] = next; next += 1; order.append(s) }
        for s in order {
            outputStart.append(Int32(outputs.count))
            outputs.append(contentsOf: out[s].sorted())
        }
        outputStart.append(Int32(outputs.count))
        var transitions = [Int32](repeating: 0, count: n * classCount)
        for s in 0..<n {
            let ns = Int(newID[s])
            for c in 0..<classCount {
                transitions[ns * classCount + c] = newID[Int(delta[s * classCount + c])]
            }
        }
        self.byteClass = byteClass
        self.classCount = classCount
        self.transitions = transitions
        self.firstOutputState = firstOutput
        self.outputStart = outputStart
        self.outputs = outputs
        self.stateCount = n
    }
}
