import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchFetch

/// Short limits so failure paths finish quickly.
private let quick = FetchLimits(connectTimeout: .seconds(2), totalTimeout: .seconds(5),
                                lowSpeedBytesPerSecond: 100, lowSpeedTime: .seconds(2))

private let rss = #"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>"#

@Suite("Fetcher against feedserver.py on 127.0.0.1")
struct FetcherTests {
    @Test("request headers: validators verbatim, User-Agent, Accept, Accept-Encoding")
    func requestHeaders() async throws {
        let server = try FeedServer(routes: ["/feed": ["body": rss]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let etag = #"W/"abc, ,def""#
        let lm = "Tue, 15 Nov 1994 12:45:26 GMT"
        let r = await fetcher.fetch(FetchRequest(url: server.url("/feed"), etag: etag, lastModified: lm))
        #expect(r.outcome == .fetched)
        let req = try #require(server.requests().first)
        #expect(req.header("If-None-Match") == etag)
        #expect(req.header("If-Modified-Since") == lm)
        #expect(req.header("User-Agent") == FeedwatchVersion.userAgent)
        #expect(req.header("User-Agent")?.hasPrefix("feedwatch/") == true)
        #expect(req.header("Accept")?.contains("application/rss+xml") == true)
        #expect(req.header("Accept")?.contains("application/atom+xml") == true)
        let ae = try #require(req.header("Accept-Encoding"))
        #expect(ae.contains("gzip"))
        #expect(ae.contains("deflate"))
    }

    @Test("no validators: no conditional headers sent")
    func noValidators() async throws {
        let server = try FeedServer(routes: ["/feed": ["body": rss]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        _ = await fetcher.fetch(FetchRequest(url: server.url("/feed")))
        let req = try #require(server.requests().first)
        #expect(req.header("If-None-Match") == nil)
        #expect(req.header("If-Modified-Since") == nil)
    }

    @Test("200 returns body, validators, caching hints and SHA-256")
    func fetched() async throws {
        let server = try FeedServer(routes: ["/feed": [
            "body": "hello", "etag": "\"v1\"", "last_modified": "Sun, 06 Nov 1994 08:49:37 GMT",
            "headers": ["Cache-Control": "public, max-age=600", "Expires": "Sun, 06 Nov 1994 09:49:37 GMT"],
        ]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/feed")))
        #expect(r.outcome == .fetched)
        #expect(r.status == 200)
        #expect(r.body == Array("hello".utf8))
        #expect(r.etag == "\"v1\"")
        #expect(r.lastModified == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(r.cacheMaxAgeSeconds == 600)
        #expect(r.expires == Date(timeIntervalSince1970: 784115377))
        #expect(r.bodyHash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(r.finalURL == server.url("/feed"))
        #expect(r.permanentURL == nil)
        #expect(r.error == nil)
    }

    @Test("304 → not_modified, validators kept")
    func notModified() async throws {
        let server = try FeedServer(routes: ["/feed": ["body": rss, "etag": "\"v1\""]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/feed"), etag: "\"v1\""))
        #expect(r.outcome == .notModified)
        #expect(r.status == 304)
        #expect(r.etag == "\"v1\"")
        #expect(r.body.isEmpty)
        #expect(r.bodyHash == nil)
        // A changed feed (new ETag) is fetched again with the same validator.
        try server.setRoutes(["/feed": ["body": rss + " ", "etag": "\"v2\""]])
        let r2 = await fetcher.fetch(FetchRequest(url: server.url("/feed"), etag: "\"v1\""))
        #expect(r2.outcome == .fetched)
        #expect(r2.etag == "\"v2\"")
    }

    @Test("If-Modified-Since alone gives 304")
    func notModifiedByDate() async throws {
        let lm = "Sun, 06 Nov 1994 08:49:37 GMT"
        let server = try FeedServer(routes: ["/feed": ["body": rss, "last_modified": lm]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/feed"), lastModified: lm))
        #expect(r.outcome == .notModified)
        #expect(r.lastModified == lm)
    }

    @Test("a chain of 301 and 308 yields permanent_url")
    func permanentChain() async throws {
        let server = try FeedServer(routes: [
            "/a": ["status": 301, "redirect_to": "/b"],
            "/b": ["status": 308, "redirect_to": "/c?x=1"],
            "/c": ["body": rss],
        ])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/a")))
        #expect(r.outcome == .fetched)
        #expect(r.finalURL == server.url("/c?x=1"))
        #expect(r.permanentURL == server.url("/c?x=1"))
        #expect(server.requests().map(\.path) == ["/a", "/b", "/c?x=1"])
    }

    @Test("any 302/303/307 in the chain: no permanent_url")
    func temporaryInChain() async throws {
        let server = try FeedServer(routes: [
            "/a": ["status": 301, "redirect_to": "/b"],
            "/b": ["status": 302, "redirect_to": "/c"],
            "/c": ["status": 301, "redirect_to": "/d"],
            "/d": ["body": rss],
        ])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/a")))
        #expect(r.outcome == .fetched)
        #expect(r.finalURL == server.url("/d"))
        #expect(r.permanentURL == nil)
    }

    @Test("a 301 chain that ends in an error yields no permanent_url")
    func permanentToError() async throws {
        let server = try FeedServer(routes: ["/a": ["status": 301, "redirect_to": "/missing"]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/a")))
        #expect(r.outcome == .error)
        #expect(r.status == 404)
        #expect(r.error == .http(status: 404))
        #expect(r.permanentURL == nil)
    }

    @Test("redirect loops are detected")
    func loop() async throws {
        let server = try FeedServer(routes: [
            "/x": ["status": 301, "redirect_to": "/y"],
            "/y": ["status": 302, "redirect_to": "/x"],
        ])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/x")))
        #expect(r.outcome == .error)
        #expect(r.error == .redirectLoop(server.url("/x")))
        #expect(server.requests().count == 2)
    }

    @Test("at most 5 redirects are followed")
    func redirectLimit() async throws {
        var routes: [String: [String: Any]] = ["/r6": ["body": rss]]
        for i in 0..<6 { routes["/r\(i)"] = ["status": 302, "redirect_to": "/r\(i + 1)"] }
        let server = try FeedServer(routes: routes)
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let ok = await fetcher.fetch(FetchRequest(url: server.url("/r1")))  // 5 hops
        #expect(ok.outcome == .fetched)
        let tooMany = await fetcher.fetch(FetchRequest(url: server.url("/r0")))  // 6 hops
        #expect(tooMany.error == .tooManyRedirects(limit: 5))
        #expect(tooMany.error?.description == "too many redirects (more than 5)")
    }

    @Test("redirect to file:// (and other schemes) is refused")
    func fileRedirect() async throws {
        let server = try FeedServer(routes: [
            "/f": ["status": 301, "redirect_to": "file:///etc/passwd"],
            "/g": ["status": 302, "redirect_to": "gopher://127.0.0.1/"],
        ])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/f")))
        #expect(r.outcome == .error)
        #expect(r.error == .redirectRefused("redirect to file:// refused"))
        #expect(r.error?.description == "redirect to file:// refused")
        let g = await fetcher.fetch(FetchRequest(url: server.url("/g")))
        #expect(g.error == .redirectRefused("redirect to gopher:// refused"))
    }

    @Test("a configured non-http URL is refused")
    func badScheme() async {
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: "file:///etc/passwd"))
        #expect(r.error == .unsupportedScheme("file"))
    }

    @Test("redirect from a public address into a private one is refused unless allowed")
    func privateRedirect() async throws {
        let server = try FeedServer(routes: [
            "/pub": ["status": 302, "redirect_to": "http://127.0.0.2:1/internal"],
            "/same": ["status": 302, "redirect_to": "/feed"],
            "/feed": ["body": rss],
        ])
        // Treat the test server's 127.0.0.1 as "public"; all else as usual.
        let classify: @Sendable (IPAddress) -> AddressClass = {
            $0 == IPAddress("127.0.0.1") ? .publicAddress : $0.classification
        }
        let strict = Fetcher(maxConcurrent: 4, maxPerHost: 2, limits: quick, allowPrivateNetworks: false,
                             classify: classify)
        defer { strict.shutdown() }
        let r = await strict.fetch(FetchRequest(url: server.url("/pub")))
        #expect(r.outcome == .error)
        #expect(r.error == .redirectRefused("redirect from a public address to non-public address 127.0.0.2 refused"))
        // Public → public is fine.
        let same = await strict.fetch(FetchRequest(url: server.url("/same")))
        #expect(same.outcome == .fetched)

        // allow_private_networks: the hop is attempted (and fails to connect,
        // nothing listens there), so the refusal came from the policy.
        let lax = Fetcher(maxConcurrent: 4, maxPerHost: 2, limits: quick, allowPrivateNetworks: true,
                          classify: classify)
        defer { lax.shutdown() }
        let l = await lax.fetch(FetchRequest(url: server.url("/pub")))
        guard case .transport(let code, _)? = l.error else {
            Issue.record("expected a transport error, got \(String(describing: l.error))")
            return
        }
        #expect(code == 7)  // CURLE_COULDNT_CONNECT
    }

    @Test("an explicitly configured loopback URL redirecting on loopback is allowed")
    func explicitPrivate() async throws {
        let server = try FeedServer(routes: [
            "/feed": ["body": rss],
        ])
        // Another host name (its own per-host queue), still loopback.
        try server.setRoutes(["/a": ["status": 307, "redirect_to": "http://localhost:\(server.port)/feed"],
                              "/feed": ["body": rss]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/a")))
        #expect(r.outcome == .fetched)
        #expect(r.finalURL == "http://localhost:\(server.port)/feed")
        #expect(r.permanentURL == nil)  // 307 is temporary
    }

    @Test("410 → gone")
    func gone() async throws {
        let server = try FeedServer(routes: ["/g": ["status": 410, "body": "gone"]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/g")))
        #expect(r.outcome == .gone)
        #expect(r.status == 410)
        #expect(r.body.isEmpty)
    }

    @Test("429 with Retry-After in delta-seconds")
    func retryAfterSeconds() async throws {
        let server = try FeedServer(routes: ["/r": ["status": 429, "headers": ["Retry-After": "120"]]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/r")))
        #expect(r.outcome == .error)
        #expect(r.status == 429)
        #expect(r.error == .http(status: 429))
        #expect(r.retryAfterSeconds == 120)
    }

    @Test("503 with Retry-After as an HTTP-date")
    func retryAfterDate() async throws {
        // The server adds its own Date header; Retry-After is 90 s after now.
        let when = Date().addingTimeInterval(90)
        let server = try FeedServer(routes: ["/r": ["status": 503, "headers": ["Retry-After": imfFixdate(when)]]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/r")))
        #expect(r.outcome == .error)
        #expect(r.status == 503)
        let s = try #require(r.retryAfterSeconds)
        #expect((85...92).contains(s))
    }

    @Test("other 4xx/5xx → error with status, no retry_after")
    func otherErrors() async throws {
        let server = try FeedServer(routes: ["/e": ["status": 500, "headers": ["Retry-After": "5"]]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/e")))
        #expect(r.error == .http(status: 500))
        #expect(r.retryAfterSeconds == nil)
        #expect(r.error?.description == "HTTP 500")
    }

    @Test("gzip is decoded transparently")
    func gzip() async throws {
        let server = try FeedServer(routes: ["/z": ["body": rss, "repeat_body_bytes": 20000, "gzip": true]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/z")))
        #expect(r.outcome == .fetched)
        #expect(r.body.count == 20000)
        #expect(Array(r.body.prefix(5)) == Array("<?xml".utf8))
    }

    @Test("a body over the cap is refused")
    func oversized() async throws {
        let server = try FeedServer(routes: ["/big": ["repeat_body_bytes": 50_000]])
        var limits = quick
        limits.maxBodyBytes = 10_000
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/big")))
        #expect(r.outcome == .error)
        #expect(r.error == .tooLarge(limit: 10_000))
        #expect(r.body.isEmpty)
        #expect(FetchError.tooLarge(limit: 16 << 20).description == "body exceeds 16 MiB")
    }

    @Test("a gzip bomb stops at the cap on decoded bytes")
    func gzipBomb() async throws {
        // 8 MB of one byte compresses to ~8 KB on the wire (1000:1), 8× the
        // cap; small enough that the test server builds it in well under the
        // low-speed window even on a loaded machine.
        let server = try FeedServer(routes: ["/bomb": ["body": "\0", "repeat_body_bytes": 8_000_000, "gzip": true]])
        var limits = quick
        limits.maxBodyBytes = 1 << 20
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/bomb")))
        #expect(r.error == .tooLarge(limit: 1 << 20))
        #expect(r.error?.description == "body exceeds 1 MiB")
    }

    @Test("headers over the cap are refused")
    func bigHeaders() async throws {
        let server = try FeedServer(routes: ["/h": ["body": rss, "headers": ["X-Junk": String(repeating: "j", count: 8000)]]])
        var limits = quick
        limits.maxHeaderBytes = 4096
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/h")))
        #expect(r.error == .headersTooLarge(limit: 4096))
    }

    @Test("a slow-loris body trips the low-speed limit")
    func slowServer() async throws {
        let server = try FeedServer(routes: ["/slow": ["repeat_body_bytes": 5000, "drip_bytes_per_s": 20]])
        let limits = FetchLimits(connectTimeout: .seconds(2), totalTimeout: .seconds(10),
                                 lowSpeedBytesPerSecond: 1000, lowSpeedTime: .seconds(1))
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/slow")))
        #expect(r.outcome == .error)
        // Had the guard not tripped, the 10 s total timeout would have
        // produced `.timeout` instead.
        #expect(r.error == .tooSlow(bytesPerSecond: 1000, seconds: 1))
    }

    @Test("a server that never finishes hits the total timeout")
    func totalTimeout() async throws {
        let server = try FeedServer(routes: ["/hang": ["body": rss, "hang_after_headers": true]])
        let limits = FetchLimits(connectTimeout: .seconds(1), totalTimeout: .seconds(1),
                                 lowSpeedBytesPerSecond: 0, lowSpeedTime: .seconds(1))
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/hang")))
        #expect(r.error == .timeout(seconds: 1))
        #expect(r.error?.description == "timeout after 1 s")
    }

    @Test("connection reset mid-body is a transport error with curl's code")
    func resetMidBody() async throws {
        let server = try FeedServer(routes: ["/reset": ["repeat_body_bytes": 100_000, "reset_after_bytes": 1000]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/reset")))
        #expect(r.outcome == .error)
        guard case .transport(let code, let message)? = r.error else {
            Issue.record("expected transport error, got \(String(describing: r.error))")
            return
        }
        #expect(code == 56 || code == 18)  // CURLE_RECV_ERROR / CURLE_PARTIAL_FILE
        #expect(!message.isEmpty)
        #expect(r.error!.description.hasPrefix("curl error \(code): "))
    }

    @Test("a feed served with a wrong Content-Type is still fetched")
    func wrongContentType() async throws {
        let server = try FeedServer(routes: ["/w": ["body": rss, "content_type": "text/html"]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/w")))
        #expect(r.outcome == .fetched)
        #expect(r.contentType == "text/html")
        #expect(r.body == Array(rss.utf8))
    }

    @Test("charset only in Content-Type: reported verbatim, bytes untouched")
    func charsetInContentType() async throws {
        // windows-1251 "Пхеньян" without any XML declaration.
        let cp1251: [UInt8] = [0xCF, 0xF5, 0xE5, 0xED, 0xFC, 0xFF, 0xED]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fw-cs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = Array("<rss version=\"2.0\"><channel><title>".utf8) + cp1251 + Array("</title></channel></rss>".utf8)
        try Data(body).write(to: dir.appendingPathComponent("f.xml"))
        let server = try FeedServer(routes: ["/c": ["body_file": dir.appendingPathComponent("f.xml").path,
                                                    "content_type": "application/rss+xml; charset=windows-1251"]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let r = await fetcher.fetch(FetchRequest(url: server.url("/c")))
        #expect(r.outcome == .fetched)
        #expect(r.contentType == "application/rss+xml; charset=windows-1251")
        #expect(r.body == body)
    }

    @Test("cancelling the task aborts the transfer")
    func cancellation() async throws {
        let server = try FeedServer(routes: ["/hang": ["body": rss, "hang_after_headers": true]])
        let limits = FetchLimits(connectTimeout: .seconds(5), totalTimeout: .seconds(60),
                                 lowSpeedBytesPerSecond: 0, lowSpeedTime: .seconds(1))
        let fetcher = Fetcher(limits: limits)
        defer { fetcher.shutdown() }
        let task = Task { await fetcher.fetch(FetchRequest(url: server.url("/hang"))) }
        // Wait until the request has reached the server, then cancel.
        for _ in 0..<100 where server.requests().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.requests().count == 1)
        task.cancel()
        let r = await task.value
        #expect(r.error == .cancelled)
        #expect(r.outcome == .error)
        // The fetcher is still usable afterwards.
        try server.setRoutes(["/ok": ["body": rss]])
        let ok = await fetcher.fetch(FetchRequest(url: server.url("/ok")))
        #expect(ok.outcome == .fetched)
    }

    @Test("an already-cancelled task does not fetch")
    func cancelledBeforeStart() async throws {
        let server = try FeedServer(routes: ["/feed": ["body": rss]])
        let fetcher = Fetcher(limits: quick)
        defer { fetcher.shutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await fetcher.fetch(FetchRequest(url: server.url("/feed")))
        }
        let r = await task.value
        #expect(r.error == .cancelled)
    }

    @Test("connections are reused across fetches to one host")
    func connectionReuse() async throws {
        let server = try FeedServer(routes: ["/a": ["body": rss], "/b": ["body": rss]])
        let fetcher = Fetcher(maxConcurrent: 1, maxPerHost: 1, limits: quick)
        defer { fetcher.shutdown() }
        for p in ["/a", "/b", "/a"] {
            let r = await fetcher.fetch(FetchRequest(url: server.url(p)))
            #expect(r.outcome == .fetched)
        }
        let peers = Set(server.requests().map(\.peer))
        #expect(peers.count == 1)
    }

    @Test("the per-host cap holds transfers back")
    func perHostCap() async throws {
        try await expectTransfersAtATime(1, requests: 3, maxConcurrent: 8, maxPerHost: 1)
    }

    /// `Engine.runPass` keeps 2 × max_concurrent polls going and relies on
    /// this cap: transfers beyond it wait in the engine.
    @Test("the global cap holds transfers back, whatever the per-host cap")
    func globalCap() async throws {
        try await expectTransfersAtATime(2, requests: 6, maxConcurrent: 2, maxPerHost: 8)
    }

    /// `requests` fetches of one slow (0.3 s) URL at once: with `slots`
    /// transfers at a time, request k + slots reaches the server only after
    /// request k's delay.
    private func expectTransfersAtATime(_ slots: Int, requests: Int, maxConcurrent: Int, maxPerHost: Int) async throws {
        let server = try FeedServer(routes: ["/d": ["body": rss, "delay_s": 0.3]])
        let fetcher = Fetcher(maxConcurrent: maxConcurrent, maxPerHost: maxPerHost, limits: quick)
        defer { fetcher.shutdown() }
        await withTaskGroup(of: FetchOutcome.self) { group in
            for _ in 0..<requests { group.addTask { await fetcher.fetch(FetchRequest(url: server.url("/d"))).outcome } }
            for await o in group { #expect(o == .fetched) }
        }
        let times = server.requests().map(\.time).sorted()
        #expect(times.count == requests)
        for i in 0..<(times.count - slots) { #expect(times[i + slots] - times[i] >= 0.25) }
    }

    @Test("many concurrent fetches all complete")
    func manyConcurrent() async throws {
        var routes: [String: [String: Any]] = [:]
        for i in 0..<50 { routes["/f\(i)"] = ["body": "feed \(i)", "etag": "\"\(i)\""] }
        let server = try FeedServer(routes: routes)
        let fetcher = Fetcher(maxConcurrent: 8, maxPerHost: 8, limits: quick)
        defer { fetcher.shutdown() }
        let results = await withTaskGroup(of: FetchResult.self) { group in
            for i in 0..<50 { group.addTask { await fetcher.fetch(FetchRequest(url: server.url("/f\(i)"))) } }
            var all: [FetchResult] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 50)
        for r in results {
            let i = r.url.split(separator: "f").last.map(String.init) ?? ""
            #expect(r.outcome == .fetched)
            #expect(r.body == Array("feed \(i)".utf8))
            #expect(r.etag == "\"\(i)\"")
        }
    }

    @Test("fetch after shutdown fails with .shutdown")
    func afterShutdown() async {
        let fetcher = Fetcher(limits: quick)
        fetcher.shutdown()
        let r = await fetcher.fetch(FetchRequest(url: "http://127.0.0.1:1/"))
        #expect(r.error == .shutdown)
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7) for test routes.
func imfFixdate(_ d: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return f.string(from: d)
}
