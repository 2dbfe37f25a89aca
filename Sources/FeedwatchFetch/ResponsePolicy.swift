import Foundation

/// The HTTP semantics of a finished hop, kept apart from libcurl so they can
/// be read (and tested) as plain rules.
enum ResponsePolicy {
    /// Statuses followed as redirects (RFC 9110 §15.4). 300 (multiple
    /// choices), 304 and 305/306 are not.
    static func isRedirect(_ status: Int) -> Bool {
        status == 301 || status == 302 || status == 303 || status == 307 || status == 308
    }

    /// Only 301 and 308 tell the client to update its stored URL
    /// (RFC 9110 §15.4.2, §15.4.9); 302/303/307 are temporary.
    static func isPermanent(_ status: Int) -> Bool {
        status == 301 || status == 308
    }

    /// Schemes a hop may use. Everything else (file, ftp, gopher, data,
    /// javascript, …) is refused by name.
    static func isAllowedScheme(_ scheme: String) -> Bool {
        scheme == "http" || scheme == "https"
    }

    /// The result of a fetch whose last hop got a non-redirect response.
    /// `redirectStatuses` are the statuses of the hops before it, in order.
    static func finalResult(request: FetchRequest, status: Int, headers: ResponseHeaders,
                            body: [UInt8], finalURL: String, redirectStatuses: [Int],
                            elapsedMilliseconds: Int, now: Date) -> FetchResult {
        var r = FetchResult(url: request.url, outcome: .error, status: status, finalURL: finalURL,
                            elapsedMilliseconds: elapsedMilliseconds)
        r.etag = headers.first("etag")
        r.lastModified = headers.first("last-modified")
        r.contentType = headers.first("content-type")
        r.cacheMaxAgeSeconds = headers.cacheMaxAgeSeconds
        r.expires = headers.expires
        switch status {
        case 200..<300:
            r.outcome = .fetched
            r.body = body
        case 304:
            // RFC 9110 §15.4.5: a 304 may refresh the validators; when it
            // omits them, the stored ones stay valid and the caller keeps them.
            r.outcome = .notModified
            if r.etag == nil { r.etag = request.etag }
            if r.lastModified == nil { r.lastModified = request.lastModified }
        case 410:
            // RFC 9110 §15.5.11: gone for good; the scheduler stops polling.
            r.outcome = .gone
        case 429, 503:
            // RFC 6585 §4 / RFC 9110 §15.6.4 with Retry-After (§10.2.3).
            r.error = .http(status: status)
            r.retryAfterSeconds = headers.retryAfterSeconds(now: now)
        default:
            r.error = .http(status: status)
        }
        if (r.outcome == .fetched || r.outcome == .notModified), !redirectStatuses.isEmpty,
           redirectStatuses.allSatisfy(isPermanent) {
            r.permanentURL = finalURL
        }
        return r
    }

    /// Request header lines for one hop. Validators go out verbatim on every
    /// hop (they belong to the resource at the end of the chain); a value with
    /// CR/LF would be header injection and is dropped instead.
    static func requestHeaders(for request: FetchRequest) -> [String] {
        var lines = [
            // Feed types first; generic XML/JSON and then anything, since
            // many servers label feeds text/html or application/octet-stream.
            "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
                + "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
                + "application/json;q=0.8, */*;q=0.5",
        ]
        func safe(_ v: String?) -> String? {
            // Scalars, not Characters: "\r\n" is a single Character.
            guard let v, !v.isEmpty, !v.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                return nil
            }
            return v
        }
        if let etag = safe(request.etag) { lines.append("If-None-Match: \(etag)") }
        if let lm = safe(request.lastModified) { lines.append("If-Modified-Since: \(lm)") }
        return lines
    }
}
