import Foundation
import FeedwatchCore

/// Bounds on one fetch (DESIGN.md rule 9: every input is bounded and hostile).
/// The same values are used by the daemon and by `feedwatch fetch`.
public struct FetchLimits: Sendable, Equatable {
    /// TCP + TLS handshake, per hop (CURLOPT_CONNECTTIMEOUT_MS).
    public var connectTimeout: Duration
    /// Whole fetch, all redirect hops together, from the first hop's start.
    public var totalTimeout: Duration
    /// Slow-loris guard: abort when fewer than `lowSpeedBytesPerSecond` bytes/s
    /// arrive for `lowSpeedTime` (CURLOPT_LOW_SPEED_LIMIT / _TIME).
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedTime: Duration
    /// Cap on the body AFTER content decoding, so a gzip bomb stops here.
    public var maxBodyBytes: Int
    /// Cap on the bytes of all response header lines of one hop.
    public var maxHeaderBytes: Int
    /// Redirect hops followed before giving up.
    public var maxRedirects: Int

    public init(connectTimeout: Duration = .seconds(10),
                totalTimeout: Duration = .seconds(30),
                lowSpeedBytesPerSecond: Int = 100,
                lowSpeedTime: Duration = .seconds(15),
                maxBodyBytes: Int = 16 << 20,
                maxHeaderBytes: Int = 64 << 10,
                maxRedirects: Int = 5) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedTime = lowSpeedTime
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRedirects = maxRedirects
    }

    public static let `default` = FetchLimits()
}

/// What to fetch, with the validators stored from the previous fetch; they
/// are sent back byte for byte (RFC 9110 §13.1.1 If-None-Match, §13.1.3
/// If-Modified-Since — the latter must be the server's own Last-Modified).
public struct FetchRequest: Sendable, Equatable {
    public var url: String
    public var etag: String?
    public var lastModified: String?

    public init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// CONTRACT.md `outcome`. "Not modified" and "gone" are outcomes, not errors
/// (DESIGN.md rule 4).
public enum FetchOutcome: String, Sendable, Equatable {
    case fetched
    case notModified = "not_modified"
    case gone
    case error
}

/// Why a fetch failed. `description` is the operator-facing text used in the
/// CLI and in `error` of the JSON output.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be parsed.
    case invalidURL(String)
    /// The configured URL's scheme is not http or https.
    case unsupportedScheme(String)
    /// Total time budget exhausted.
    case timeout(seconds: Double)
    /// TCP/TLS connection not established within the connect timeout.
    case connectTimeout(seconds: Double)
    /// Slow-loris guard tripped.
    case tooSlow(bytesPerSecond: Int, seconds: Double)
    /// Decoded body larger than the cap.
    case tooLarge(limit: Int)
    /// Response headers larger than the cap.
    case headersTooLarge(limit: Int)
    /// A redirect hop the policy does not allow (scheme, private address, …).
    case redirectRefused(String)
    case tooManyRedirects(limit: Int)
    case redirectLoop(String)
    /// A 3xx without a usable Location.
    case redirectWithoutLocation(status: Int)
    /// Any other non-success status (429/503 carry retry_after_s in the result).
    case http(status: Int)
    /// libcurl failure: its CURLcode and its own message.
    case transport(code: Int, message: String)
    /// The awaiting task was cancelled.
    case cancelled
    /// The fetcher was shut down before the fetch completed.
    case shutdown

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid URL: \(u)"
        case .unsupportedScheme(let s): return "unsupported URL scheme \(s):// (only http and https)"
        case .timeout(let s): return "timeout after \(formatSeconds(s)) s"
        case .connectTimeout(let s): return "connect timeout after \(formatSeconds(s)) s"
        case .tooSlow(let b, let s):
            return "too slow: less than \(b) bytes/s for \(formatSeconds(s)) s"
        case .tooLarge(let limit): return "body exceeds \(formatBytes(limit))"
        case .headersTooLarge(let limit): return "response headers exceed \(formatBytes(limit))"
        case .redirectRefused(let why): return why
        case .tooManyRedirects(let limit): return "too many redirects (more than \(limit))"
        case .redirectLoop(let u): return "redirect loop at \(u)"
        case .redirectWithoutLocation(let st): return "HTTP \(st) redirect without Location"
        case .http(let st): return "HTTP \(st)"
        case .transport(let code, let message): return "curl error \(code): \(message)"
        case .cancelled: return "cancelled"
        case .shutdown: return "fetcher shut down"
        }
    }
}

/// "30" for 30.0, "0.5" for 0.5: operators read seconds, not "30.0".
func formatSeconds(_ s: Double) -> String {
    if s == s.rounded() { return String(Int(s)) }
    return String(format: "%.3g", s)
}

/// "16 MiB" for 16 << 20, "1500 bytes" otherwise.
func formatBytes(_ n: Int) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
    if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
    return "\(n) bytes"
}

extension Duration {
    /// Seconds as a Double (Duration has no such accessor on Linux).
    var fetchSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
    var fetchMilliseconds: Int {
        let c = components
        return Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000)
    }
}

/// The result of one fetch, ready for the pipeline to store and to parse.
public struct FetchResult: Sendable {
    /// The URL as requested.
    public var url: String
    public var outcome: FetchOutcome
    /// Status of the last hop (nil when no response arrived).
    public var status: Int?
    /// The URL of the last hop.
    public var finalURL: String?
    /// Set only when every hop was 301/308 and the chain ended in success
    /// (RFC 9110 §15.4.2/§15.4.9: only these mean "update your links").
    public var permanentURL: String?
    /// Validators of the final response, verbatim, for the next conditional GET.
    public var etag: String?
    public var lastModified: String?
    /// From Retry-After on 429/503 (RFC 9110 §10.2.3), as delta seconds.
    public var retryAfterSeconds: Int?
    /// Cache-Control: max-age (RFC 9111 §5.2.2.1) of the final response.
    public var cacheMaxAgeSeconds: Int?
    /// Expires (RFC 9111 §5.3); an invalid value such as "0" means "already
    /// expired" and is reported as the Unix epoch.
    public var expires: Date?
    /// Content-Type header verbatim (charset included: the parser needs it).
    public var contentType: String?
    /// Decoded body (empty unless `fetched`).
    public var body: [UInt8]
    /// Lowercase hex SHA-256 of `body` when fetched; equal hashes mean an
    /// unchanged body that need not be parsed again.
    public var bodyHash: String?
    public var elapsedMilliseconds: Int
    public var error: FetchError?

    public init(url: String, outcome: FetchOutcome, status: Int? = nil, finalURL: String? = nil,
                permanentURL: String? = nil, etag: String? = nil, lastModified: String? = nil,
                retryAfterSeconds: Int? = nil, cacheMaxAgeSeconds: Int? = nil, expires: Date? = nil,
                contentType: String? = nil, body: [UInt8] = [], bodyHash: String? = nil,
                elapsedMilliseconds: Int = 0, error: FetchError? = nil) {
        self.url = url
        self.outcome = outcome
        self.status = status
        self.finalURL = finalURL
        self.permanentURL = permanentURL
        self.etag = etag
        self.lastModified = lastModified
        self.retryAfterSeconds = retryAfterSeconds
        self.cacheMaxAgeSeconds = cacheMaxAgeSeconds
        self.expires = expires
        self.contentType = contentType
        self.body = body
        self.bodyHash = bodyHash
        self.elapsedMilliseconds = elapsedMilliseconds
        self.error = error
    }

    /// The CONTRACT.md `feedwatch fetch --json` object on one line, keys in
    /// the contract's order, followed by three extras the contract allows
    /// (`max_age_s`, `expires`, `sha256`).
    public func jsonLine() -> String {
        var j = JSONLineWriter()
        j.string("url", url)
        j.string("outcome", outcome.rawValue)
        j.int("status", status)
        j.string("final_url", finalURL)
        j.string("permanent_url", permanentURL)
        j.string("etag", etag)
        j.string("last_modified", lastModified)
        j.int("retry_after_s", retryAfterSeconds)
        j.int("bytes", body.count)
        j.string("content_type", contentType)
        j.string("error", error?.description)
        j.int("elapsed_ms", elapsedMilliseconds)
        j.int("max_age_s", cacheMaxAgeSeconds)
        j.string("expires", expires.map { RFC3339.format($0) })
        j.string("sha256", bodyHash)
        return j.finish()
    }
}

/// Minimal ordered JSON object writer (RFC 8259 §7 string escaping).
struct JSONLineWriter {
    private var out = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { out += ", " }
        first = false
        out += "\"" + k + "\": "
    }
    mutating func string(_ k: String, _ v: String?) {
        key(k)
        guard let v else { out += "null"; return }
        JSONLineWriter.appendEscaped(v, to: &out)
    }
    mutating func int(_ k: String, _ v: Int?) {
        key(k)
        out += v.map(String.init) ?? "null"
    }
    mutating func finish() -> String { out + "}" }

    static func appendEscaped(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7F || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
