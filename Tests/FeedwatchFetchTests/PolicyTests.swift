import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchFetch

@Suite("Pure parts of the fetcher")
struct PolicyTests {
    @Test("HTTP-date: IMF-fixdate, rfc850 and asctime forms (RFC 9110 §5.6.7)")
    func httpDates() {
        let expected = Date(timeIntervalSince1970: 784111777)  // 1994-11-06T08:49:37Z
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.parse("0") == nil)
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(RFC3339.format(expected) == "1994-11-06T08:49:37Z")
    }

    @Test("Retry-After: seconds, date against the response's Date, garbage")
    func retryAfter() {
        var h = ResponseHeaders()
        h.add(line: "HTTP/1.1 503 Service Unavailable\r\n")
        h.add(line: "Retry-After: 42\r\n")
        #expect(h.retryAfterSeconds(now: Date()) == 42)

        var d = ResponseHeaders()
        d.add(line: "HTTP/1.1 429 Too Many Requests")
        d.add(line: "Date: Sun, 06 Nov 1994 08:49:37 GMT")
        d.add(line: "Retry-After: Sun, 06 Nov 1994 08:51:37 GMT")
        // The local clock is irrelevant when the server sent Date.
        #expect(d.retryAfterSeconds(now: Date()) == 120)

        var past = ResponseHeaders()
        past.add(line: "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(past.retryAfterSeconds(now: Date()) == 0)

        var bad = ResponseHeaders()
        bad.add(line: "Retry-After: soon")
        #expect(bad.retryAfterSeconds(now: Date()) == nil)
    }

    @Test("Cache-Control max-age and Expires")
    func caching() {
        var h = ResponseHeaders()
        h.add(line: "Cache-Control: no-transform")
        h.add(line: "cache-control: public, MAX-AGE=\"300\"")
        h.add(line: "Expires: 0")
        #expect(h.cacheMaxAgeSeconds == 300)
        #expect(h.expires == Date(timeIntervalSince1970: 0))  // invalid = already expired
    }

    @Test("a status line starts a fresh header set (1xx, hops)")
    func statusLineResets() {
        var h = ResponseHeaders()
        h.add(line: "HTTP/1.1 100 Continue")
        h.add(line: "ETag: \"old\"")
        h.add(line: "HTTP/2 200")
        h.add(line: "etag: \"new\"")
        #expect(h.status == 200)
        #expect(h.first("etag") == "\"new\"")
    }

    @Test("address classification")
    func addresses() {
        for s in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                  "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "fc00::1",
                  "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "ff02::1"] {
            #expect(IPAddress(s)?.classification == .nonPublic, "\(s)")
        }
        for s in ["8.8.8.8", "172.32.0.1", "93.184.216.34", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            #expect(IPAddress(s)?.classification == .publicAddress, "\(s)")
        }
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPAddress("1:2:3") == nil)
        #expect(IPAddress("256.1.1.1") == nil)
    }

    @Test("SHA-256 test vectors (FIPS 180-4 examples) through libcrypto")
    func sha256() {
        #expect(BodyDigest.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(BodyDigest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(BodyDigest.sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(BodyDigest.sha256Hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("JSON line: contract keys in order, escaping")
    func jsonLine() throws {
        let r = FetchResult(url: "http://x/\"q\"\n", outcome: .notModified, status: 304, finalURL: "http://x/",
                            etag: "W/\"e\"", elapsedMilliseconds: 7)
        let line = r.jsonLine()
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["url"] as? String == "http://x/\"q\"\n")
        #expect(obj["outcome"] as? String == "not_modified")
        #expect(obj["status"] as? Int == 304)
        #expect(obj["etag"] as? String == "W/\"e\"")
        #expect(obj["permanent_url"] is NSNull)
        #expect(obj["error"] is NSNull)
        #expect(obj["bytes"] as? Int == 0)
        #expect(obj["elapsed_ms"] as? Int == 7)
        let keys = ["url", "outcome", "status", "final_url", "permanent_url", "etag", "last_modified",
                    "retry_after_s", "bytes", "content_type", "error", "elapsed_ms"]
        var last = line.startIndex
        for k in keys {
            let r = try #require(line.range(of: "\"\(k)\": ", range: last..<line.endIndex), "key \(k) out of order")
            last = r.upperBound
        }
    }

    @Test("error messages")
    func messages() {
        #expect(FetchError.timeout(seconds: 30).description == "timeout after 30 s")
        #expect(FetchError.timeout(seconds: 0.5).description == "timeout after 0.5 s")
        #expect(FetchError.tooLarge(limit: 16 << 20).description == "body exceeds 16 MiB")
        #expect(FetchError.transport(code: 7, message: "Couldn't connect").description == "curl error 7: Couldn't connect")
    }

    @Test("validators with CR/LF are not sent (header injection)")
    func injection() {
        let lines = ResponsePolicy.requestHeaders(for: FetchRequest(url: "http://x/", etag: "\"a\"\r\nX-Evil: 1",
                                                                    lastModified: "Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!lines.contains { $0.hasPrefix("If-None-Match") })
        #expect(lines.contains("If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"))
    }
}
