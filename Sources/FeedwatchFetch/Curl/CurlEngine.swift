import Foundation
import FeedwatchCore
internal import CFeedwatchCurl

/// libcurl's multi interface driven by one dedicated thread (DESIGN.md rule 6:
/// blocking work stays off the cooperative pool).
///
/// Threading model: every libcurl call on the multi handle and on the easy
/// handles happens on the engine thread, including all callbacks (they run
/// inside curl_multi_perform). Other threads only append commands to
/// `inbox` under `lock` and call curl_multi_wakeup, which libcurl documents
/// as callable from any thread. That is why the class is
/// `@unchecked Sendable`: the shared mutable state is the inbox (locked);
/// everything else is confined to the engine thread.
///
/// Admission: our own queue, not libcurl's pending list, enforces both the
/// global in-flight cap and the per-host cap, so that a queued fetch does not
/// burn its timeouts while waiting, and one slow host cannot hold the head of
/// the line (hosts with work are served round-robin).
///
/// Redirects are followed by us, one easy transfer per hop
/// (CURLOPT_FOLLOWLOCATION stays off), so every hop's status, scheme and
/// connected address is checked before the next request is sent.
final class CurlEngine: @unchecked Sendable {
    typealias Completion = @Sendable (FetchResult) -> Void

    private enum Command {
        case submit(Job)
        case cancel(UInt64)
    }

    let maxConcurrent: Int
    let maxPerHost: Int
    let limits: FetchLimits
    let allowPrivateNetworks: Bool
    let classify: @Sendable (IPAddress) -> AddressClass

    // Shared state, guarded by `lock`.
    private let lock = NSLock()
    private var inbox: [Command] = []
    private var stopping = false
    private var nextID: UInt64 = 1
    /// Ids handed out by makeID whose completion has not been delivered. A
    /// cancel for an id not in here is stale (the fetch already finished)
    /// and is dropped, so `cancelledBeforeSubmit` cannot accumulate garbage.
    private var liveIDs: Set<UInt64> = []
    /// True while the engine thread is (about to be) blocked in
    /// curl_multi_poll with an empty inbox. Only then does a command need
    /// curl_multi_wakeup; a busy engine drains the inbox on its next turn.
    /// Saves a syscall and a poll round per submit under load.
    private var sleeping = false

    // Engine-thread state.
    private let multi: MultiHandleHandle
    private var jobs: [UInt64: Job] = [:]
    private var cancelledBeforeSubmit: Set<UInt64> = []
    private var pending: [String: HostQueue] = [:]
    private var readyHosts: [String] = []          // hosts with queued jobs, round-robin order
    private var activeByHost: [String: Int] = [:]
    private var cursor = 0
    /// Finished easy handles kept for reuse (engine thread only).
    private var easyPool: [EasyHandleHandle] = []
    private var active: [UnsafeMutableRawPointer: HopTransfer] = [:]

    init(maxConcurrent: Int, maxPerHost: Int, limits: FetchLimits, allowPrivateNetworks: Bool,
         classify: @escaping @Sendable (IPAddress) -> AddressClass) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxPerHost = max(1, maxPerHost)
        self.limits = limits
        self.allowPrivateNetworks = allowPrivateNetworks
        self.classify = classify
        guard let m = MultiHandleHandle() else {
            fatalError("curl_multi_init failed (out of memory or libcurl unusable)")
        }
        multi = m
        // HTTP/2 multiplexing where the server offers it (ALPN over TLS).
        multi.set(CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        // Connection cache: keep idle keep-alive connections for reuse across
        // polls; at least the in-flight cap, generously more for many hosts.
        multi.set(CURLMOPT_MAXCONNECTS, max(4 * self.maxConcurrent, 64))
        // The running thread keeps the engine alive; the engine keeps no
        // reference to the Thread (it holds its closure, which holds self:
        // LeakSanitizer saw that cycle outlive the thread).
        let t = Thread { [self] in self.runLoop() }
        t.name = "feedwatch-curl"
        t.start()
    }

    // MARK: - Called from any thread

    func makeID() -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        let id = nextID
        nextID += 1
        liveIDs.insert(id)
        return id
    }

    /// Queues a fetch; `completion` is called exactly once, on the engine
    /// thread (or immediately when the engine is already shut down).
    func submit(id: UInt64, request: FetchRequest, completion: @escaping Completion) {
        let job = Job(id: id, request: request, completion: completion)
        lock.lock()
        if stopping {
            liveIDs.remove(id)
            lock.unlock()
            completion(FetchResult(url: request.url, outcome: .error, error: .shutdown))
            return
        }
        inbox.append(.submit(job))
        let wake = sleeping
        sleeping = false
        lock.unlock()
        if wake { curl_multi_wakeup(multi.raw) }
    }

    /// Aborts a fetch; the engine thread reacts within one poll wakeup.
    func cancel(id: UInt64) {
        lock.lock()
        if stopping || !liveIDs.contains(id) { lock.unlock(); return }
        inbox.append(.cancel(id))
        let wake = sleeping
        sleeping = false
        lock.unlock()
        if wake { curl_multi_wakeup(multi.raw) }
    }

    /// Stops the engine: queued and in-flight fetches complete with
    /// `.shutdown`; the thread exits. Idempotent.
    func shutdown() {
        lock.lock()
        let already = stopping
        stopping = true
        lock.unlock()
        if !already { curl_multi_wakeup(multi.raw) }
    }

    // MARK: - Engine thread

    private func runLoop() {
        while true {
            lock.lock()
            let commands = inbox
            inbox.removeAll(keepingCapacity: true)
            let stop = stopping
            lock.unlock()

            for command in commands {
                switch command {
                case .submit(let job): accept(job)
                case .cancel(let id): cancelJob(id)
                }
            }
            if stop {
                // Fail everything still known, including submits that raced
                // with shutdown (they were drained above).
                for (_, job) in jobs { finish(job, FetchResult(url: job.request.url, outcome: .error, error: .shutdown)) }
                break
            }
            admit()
            var running: Int32 = 0
            curl_multi_perform(multi.raw, &running)
            let finished = collectFinished()
            if finished > 0 && !readyHosts.isEmpty && active.count < maxConcurrent {
                // Completions freed slots and work is queued: admit it now.
                // Polling first could sleep the full timeout when nothing
                // else is in flight (seen as a 1 s stall at the end of a
                // batch in Benchmarks/fetch).
                continue
            }
            // Sleeps until socket activity, a libcurl timer, or a wakeup from
            // submit/cancel/shutdown; the 1 s cap bounds cancellation latency
            // even if a wakeup were ever lost.
            // Announce the sleep under the lock, so a command appended after
            // this point sees `sleeping` and wakes us (libcurl keeps a wakeup
            // sent before the poll starts); one appended before it is
            // noticed here and the poll does not wait.
            lock.lock()
            let idle = inbox.isEmpty && !stopping
            sleeping = idle
            lock.unlock()
            var numfds: Int32 = 0
            curl_multi_poll(multi.raw, nil, 0, idle ? 1000 : 0, &numfds)
            lock.lock()
            sleeping = false
            lock.unlock()
        }
        // Remove in-flight transfers before the multi handle can go away.
        for (easy, _) in active { curl_multi_remove_handle(multi.raw, easy) }
        active.removeAll()
        lock.lock()
        let late = inbox
        inbox.removeAll()
        lock.unlock()
        for case .submit(let job) in late {
            deliver(job, FetchResult(url: job.request.url, outcome: .error, error: .shutdown))
        }
    }

    private func accept(_ job: Job) {
        if cancelledBeforeSubmit.remove(job.id) != nil {
            deliver(job, FetchResult(url: job.request.url, outcome: .error, error: .cancelled))
            return
        }
        guard let parsed = ParsedURL.parse(job.request.url) else {
            deliver(job, FetchResult(url: job.request.url, outcome: .error, error: .invalidURL(job.request.url)))
            return
        }
        guard ResponsePolicy.isAllowedScheme(parsed.scheme) else {
            deliver(job, FetchResult(url: job.request.url, outcome: .error, error: .unsupportedScheme(parsed.scheme)))
            return
        }
        job.current = parsed
        job.visited.insert(parsed.full)
        jobs[job.id] = job
        enqueue(job, front: false)
    }

    private func enqueue(_ job: Job, front: Bool) {
        let key = job.current.hostKey
        // Invariant: `key` is in readyHosts exactly when pending[key] exists.
        if pending[key] == nil { readyHosts.append(key) }
        if front { pending[key, default: HostQueue()].pushFront(job) } else { pending[key, default: HostQueue()].push(job) }
    }

    private func cancelJob(_ id: UInt64) {
        guard let job = jobs[id] else {
            // Cancel overtook its submit (Task cancelled before the
            // continuation was set up; `cancel` only forwards live ids, so
            // the submit is still to come): remember it.
            cancelledBeforeSubmit.insert(id)
            return
        }
        if let t = job.transfer {
            curl_multi_remove_handle(multi.raw, t.easy.raw)
            release(t)
        }
        // A queued job is left in its host queue, marked done, and skipped
        // when reached: cheaper than searching the queue.
        finish(job, FetchResult(url: job.request.url, outcome: .error, finalURL: job.current.full,
                                elapsedMilliseconds: job.elapsedMilliseconds, error: .cancelled))
    }

    /// Starts queued hops while global and per-host slots are free, serving
    /// hosts round-robin from a persistent cursor.
    private func admit() {
        var blockedInARow = 0
        while active.count < maxConcurrent && !readyHosts.isEmpty && blockedInARow < readyHosts.count {
            if cursor >= readyHosts.count { cursor = 0 }
            let key = readyHosts[cursor]
            if activeByHost[key, default: 0] >= maxPerHost {
                cursor += 1
                blockedInARow += 1
                continue
            }
            blockedInARow = 0
            // removeValue first: mutating a copy while the dictionary still
            // holds the queue would copy the whole array (O(n) per pop).
            var q = pending.removeValue(forKey: key)!
            let job = q.pop()
            if q.isEmpty {
                readyHosts.remove(at: cursor)
            } else {
                pending[key] = q
                cursor += 1
            }
            if let job, !job.done { start(job) }
        }
    }

    /// Sets up and adds one hop's easy transfer.
    private func start(_ job: Job) {
        if job.startedAt == nil { job.startedAt = .now }
        let remaining = limits.totalTimeout - (ContinuousClock.now - job.startedAt!)
        if remaining <= .zero {
            finish(job, timeoutResult(job))
            return
        }
        // A hop reached by a redirect after a hop at a public address must
        // itself connect to a public address (unless allowed): see
        // `openSocketCallback`.
        let restricted = job.sawPublicAddress && !allowPrivateNetworks
        guard let easy = easyPool.popLast() ?? EasyHandleHandle() else {
            finish(job, FetchResult(url: job.request.url, outcome: .error,
                                    error: .transport(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_easy_init failed")))
            return
        }
        let t = HopTransfer(job: job, easy: easy, restricted: restricted, limits: limits, classify: classify)
        let me = Unmanaged.passUnretained(t).toOpaque()
        easy.set(CURLOPT_URL, job.current.full)
        // Defence in depth: even if a URL slipped past our scheme check,
        // libcurl itself will only speak these.
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        easy.set(CURLOPT_NOSIGNAL, 1)          // no SIGALRM from threaded code
        // Ignore http_proxy & co.: the daemon talks to publishers directly,
        // and the address check below must see the publisher's address.
        easy.set(CURLOPT_PROXY, "")
        easy.set(CURLOPT_USERAGENT, FetchHeaders.userAgent)
        easy.set(CURLOPT_ACCEPT_ENCODING, "")   // every encoding this libcurl decodes
        easy.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        if job.current.scheme == "https" {
            // Wait for a possibly multiplexed HTTP/2 connection rather than
            // opening a second one to the same host.
            easy.set(CURLOPT_PIPEWAIT, 1)
        }
        easy.setHeaders(ResponsePolicy.requestHeaders(for: job.request))
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, min(limits.connectTimeout, remaining).fetchMilliseconds))
        easy.set(CURLOPT_TIMEOUT_MS, max(1, remaining.fetchMilliseconds))
        if limits.lowSpeedBytesPerSecond > 0 {
            easy.set(CURLOPT_LOW_SPEED_LIMIT, limits.lowSpeedBytesPerSecond)
            easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(limits.lowSpeedTime.fetchSeconds.rounded(.up))))
        }
        easy.setPointer(CURLOPT_PRIVATE, me)
        easy.setCallback(CURLOPT_WRITEFUNCTION, curlWriteCallback)
        easy.setPointer(CURLOPT_WRITEDATA, me)
        easy.setCallback(CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        easy.setPointer(CURLOPT_HEADERDATA, me)
        easy.setOpenSocket(curlOpenSocketCallback)
        easy.setPointer(CURLOPT_OPENSOCKETDATA, me)
        if restricted {
            // Force a new connection so the open-socket check always runs: a
            // pooled connection to the same host name was opened earlier and
            // may have been checked under a different rule.
            easy.set(CURLOPT_FRESH_CONNECT, 1)
        }
        guard curl_multi_add_handle(multi.raw, easy.raw) == CURLM_OK else {
            finish(job, FetchResult(url: job.request.url, outcome: .error,
                                    error: .transport(code: -1, message: "curl_multi_add_handle failed")))
            return
        }
        job.transfer = t
        active[easy.raw] = t
        activeByHost[job.current.hostKey, default: 0] += 1
    }

    /// Returns a handle that is out of the multi handle and whose results
    /// have been read to the pool (bounded: at most twice the in-flight cap).
    private func recycle(_ easy: EasyHandleHandle) {
        guard easyPool.count < 2 * maxConcurrent else { return }
        easy.reset()
        easyPool.append(easy)
    }

    private func release(_ t: HopTransfer) {
        active[t.easy.raw] = nil
        let key = t.job.current.hostKey
        let n = activeByHost[key, default: 1] - 1
        activeByHost[key] = n > 0 ? n : nil
        t.job.transfer = nil
    }

    /// Handles every finished transfer; returns how many there were.
    @discardableResult
    private func collectFinished() -> Int {
        var count = 0
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi.raw, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle,
                  let t = active[easy] else { continue }
            let code = fw_msg_result(msg)
            curl_multi_remove_handle(multi.raw, easy)
            release(t)
            hopFinished(t, code: code)
            recycle(t.easy)
            count += 1
        }
        return count
    }

    private func hopFinished(_ t: HopTransfer, code: CURLcode) {
        let job = t.job
        guard !job.done else { return }
        let status = t.easy.infoLong(CURLINFO_RESPONSE_CODE).flatMap { $0 > 0 ? $0 : nil }

        if code != CURLE_OK {
            finish(job, failure(t, code: code, status: status))
            return
        }
        // Which address did this hop talk to? The open-socket callback saw
        // it for new connections; a reused connection reports it here.
        let address = t.connectedAddress ?? t.easy.infoString(CURLINFO_PRIMARY_IP).flatMap(IPAddress.init)
        if let address {
            if t.restricted && classify(address) != .publicAddress {
                // Cannot happen with FRESH_CONNECT, but never trust that alone.
                finish(job, errorResult(job, .redirectRefused(privateRefusal(address)), status: nil))
                return
            }
            if classify(address) == .publicAddress { job.sawPublicAddress = true }
        }
        guard let status else {
            finish(job, errorResult(job, .transport(code: 0, message: "no HTTP response"), status: nil))
            return
        }
        if ResponsePolicy.isRedirect(status) {
            followRedirect(job, status: status, headers: t.headers)
            return
        }
        let result = ResponsePolicy.finalResult(
            request: job.request, status: status, headers: t.headers, body: t.body,
            finalURL: job.current.full, redirectStatuses: job.redirectStatuses,
            elapsedMilliseconds: job.elapsedMilliseconds, now: Date())
        finish(job, result)
    }

    private func followRedirect(_ job: Job, status: Int, headers: ResponseHeaders) {
        guard let location = headers.first("location"), !location.isEmpty else {
            finish(job, errorResult(job, .redirectWithoutLocation(status: status), status: status))
            return
        }
        guard let next = ParsedURL.parse(location, relativeTo: job.current.full) else {
            finish(job, errorResult(job, .redirectRefused("redirect to unparseable URL \(location) refused"), status: status))
            return
        }
        guard ResponsePolicy.isAllowedScheme(next.scheme) else {
            finish(job, errorResult(job, .redirectRefused("redirect to \(next.scheme):// refused"), status: status))
            return
        }
        if job.visited.contains(next.full) {
            finish(job, errorResult(job, .redirectLoop(next.full), status: status))
            return
        }
        if job.redirectStatuses.count >= limits.maxRedirects {
            finish(job, errorResult(job, .tooManyRedirects(limit: limits.maxRedirects), status: status))
            return
        }
        job.redirectStatuses.append(status)
        job.visited.insert(next.full)
        job.current = next
        // Front of its host's queue: it already waited its turn once.
        enqueue(job, front: true)
    }

    private func failure(_ t: HopTransfer, code: CURLcode, status: Int?) -> FetchResult {
        let job = t.job
        let error: FetchError
        if let refused = t.refusedAddress {
            error = .redirectRefused(privateRefusal(refused))
        } else if t.bodyTooLarge {
            error = .tooLarge(limit: limits.maxBodyBytes)
        } else if t.headersTooLarge {
            error = .headersTooLarge(limit: limits.maxHeaderBytes)
        } else if code == CURLE_OPERATION_TIMEDOUT {
            // libcurl uses one code for three limits; its message says which.
            let text = t.easy.errorText
            if text.hasPrefix("Operation too slow") {
                error = .tooSlow(bytesPerSecond: limits.lowSpeedBytesPerSecond, seconds: limits.lowSpeedTime.fetchSeconds)
            } else if text.hasPrefix("Connection timed out") || text.hasPrefix("Connection time-out")
                        || text.hasPrefix("Resolving timed out")
                        || (text.hasPrefix("Failed to connect") && text.contains("Timeout")) {
                error = .connectTimeout(seconds: limits.connectTimeout.fetchSeconds)
            } else {
                error = .timeout(seconds: limits.totalTimeout.fetchSeconds)
            }
        } else {
            let text = t.easy.errorText
            let message = text.isEmpty ? String(cString: curl_easy_strerror(code)) : text
            error = .transport(code: Int(code.rawValue), message: message)
        }
        var r = errorResult(job, error, status: status)
        // A response that arrived before the failure may still carry hints.
        if status == 429 || status == 503 { r.retryAfterSeconds = t.headers.retryAfterSeconds(now: Date()) }
        return r
    }

    private func privateRefusal(_ address: IPAddress) -> String {
        "redirect from a public address to non-public address \(address) refused"
    }

    private func errorResult(_ job: Job, _ error: FetchError, status: Int?) -> FetchResult {
        FetchResult(url: job.request.url, outcome: .error, status: status, finalURL: job.current.full,
                    elapsedMilliseconds: job.elapsedMilliseconds, error: error)
    }

    private func timeoutResult(_ job: Job) -> FetchResult {
        errorResult(job, .timeout(seconds: limits.totalTimeout.fetchSeconds), status: nil)
    }

    private func finish(_ job: Job, _ result: FetchResult) {
        guard !job.done else { return }
        job.done = true
        jobs[job.id] = nil
        deliver(job, result)
    }

    /// The one place a completion is called (exactly once per job).
    private func deliver(_ job: Job, _ result: FetchResult) {
        lock.lock()
        liveIDs.remove(job.id)
        lock.unlock()
        job.completion(result)
    }
}

/// Fixed request header values.
enum FetchHeaders {
    static let userAgent = FeedwatchVersion.userAgent
}

/// One fetch: its request, where it is in its redirect chain, and who waits.
final class Job {
    let id: UInt64
    let request: FetchRequest
    let completion: CurlEngine.Completion
    var current = ParsedURL(full: "", scheme: "", host: "", port: "")
    var visited: Set<String> = []
    var redirectStatuses: [Int] = []
    var startedAt: ContinuousClock.Instant?
    /// Some hop of this chain was served from a public address.
    var sawPublicAddress = false
    var transfer: HopTransfer?
    var done = false

    init(id: UInt64, request: FetchRequest, completion: @escaping CurlEngine.Completion) {
        self.id = id
        self.request = request
        self.completion = completion
    }

    /// From the first hop's start (queue time excluded).
    var elapsedMilliseconds: Int {
        guard let startedAt else { return 0 }
        return (ContinuousClock.now - startedAt).fetchMilliseconds
    }
}

/// FIFO with a cheap front insertion (redirect hops) and O(1) pop.
struct HostQueue {
    private var items: [Job] = []
    private var head = 0
    var isEmpty: Bool { head >= items.count }

    mutating func push(_ job: Job) { items.append(job) }
    mutating func pushFront(_ job: Job) {
        if head > 0 { head -= 1; items[head] = job } else { items.insert(job, at: 0) }
    }
    mutating func pop() -> Job? {
        guard head < items.count else { return nil }
        let j = items[head]
        head += 1
        if head > 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        return j
    }
}

/// The per-hop state libcurl's callbacks write into (engine thread only).
final class HopTransfer {
    unowned let job: Job
    let easy: EasyHandleHandle
    let restricted: Bool
    let maxBody: Int
    let maxHeader: Int
    let classify: @Sendable (IPAddress) -> AddressClass
    var body: [UInt8] = []
    var headers = ResponseHeaders()
    var headerBytes = 0
    var bodyTooLarge = false
    var headersTooLarge = false
    var refusedAddress: IPAddress?
    var connectedAddress: IPAddress?

    init(job: Job, easy: EasyHandleHandle, restricted: Bool, limits: FetchLimits,
         classify: @escaping @Sendable (IPAddress) -> AddressClass) {
        self.job = job
        self.easy = easy
        self.restricted = restricted
        self.maxBody = limits.maxBodyBytes
        self.maxHeader = limits.maxHeaderBytes
        self.classify = classify
    }
}

// MARK: - libcurl callbacks (C function pointers; no captures)
//
// `userdata` is `Unmanaged<HopTransfer>` passed unretained: the engine's
// `active` table holds the strong reference for exactly as long as the easy
// handle is in the multi handle, and callbacks only run inside
// curl_multi_perform while it is.

/// CURLOPT_WRITEFUNCTION: receives the body AFTER content decoding
/// (CURLOPT_ACCEPT_ENCODING), so the cap counts decoded bytes and a gzip bomb
/// stops at the cap. Returning less than given aborts with CURLE_WRITE_ERROR.
private let curlWriteCallback: curl_write_callback = { ptr, size, nmemb, userdata in
    let t = Unmanaged<HopTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * nmemb
    if t.body.count + n > t.maxBody {
        t.bodyTooLarge = true
        return 0
    }
    if n > 0, let ptr {
        // One allocation for a typical feed instead of a series of
        // grow-and-copy steps (304s and redirects never get here).
        if t.body.capacity == 0 { t.body.reserveCapacity(min(t.maxBody, max(n, 96 << 10))) }
        // Safe: libcurl guarantees `n` readable bytes at `ptr` for this call.
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
            t.body.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
    }
    return n
}

/// CURLOPT_HEADERFUNCTION: one complete header line per call (status line
/// included). Counts bytes against the header cap.
private let curlHeaderCallback: curl_write_callback = { ptr, size, nmemb, userdata in
    let t = Unmanaged<HopTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * nmemb
    t.headerBytes += n
    if t.headerBytes > t.maxHeader {
        t.headersTooLarge = true
        return 0
    }
    guard n > 0, let ptr else { return n }
    // Safe: `n` bytes at `ptr` are valid for the duration of this call.
    t.headers.add(bytes: UnsafeRawBufferPointer(start: ptr, count: n))
    return n
}

/// CURLOPT_OPENSOCKETFUNCTION: libcurl calls this with the exact address it
/// is about to connect to, after DNS resolution, for every new connection.
/// Checking here (rather than resolving the name ourselves first) leaves no
/// gap between check and use, so DNS rebinding cannot slip a private address
/// past the redirect rule. Refusing returns CURL_SOCKET_BAD, which makes
/// libcurl fail the transfer with CURLE_COULDNT_CONNECT; the flag set here
/// turns that into `redirectRefused`.
private let curlOpenSocketCallback: curl_opensocket_callback = { clientp, purpose, address in
    guard let clientp, let address else { return fw_socket_bad() }
    let t = Unmanaged<HopTransfer>.fromOpaque(clientp).takeUnretainedValue()
    var raw = [UInt8](repeating: 0, count: 16)
    let family = raw.withUnsafeMutableBufferPointer { fw_sockaddr_bytes(address, $0.baseAddress) }
    let ip: IPAddress? = family == 4 ? IPAddress(bytes: Array(raw[0..<4])) : family == 6 ? IPAddress(bytes: raw) : nil
    if t.restricted {
        guard let ip, t.classify(ip) == .publicAddress else {
            t.refusedAddress = ip ?? IPAddress(bytes: [0, 0, 0, 0])
            return fw_socket_bad()
        }
    }
    if let ip { t.connectedAddress = ip }
    return fw_open_socket(address)
}
