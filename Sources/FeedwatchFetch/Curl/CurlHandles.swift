internal import CFeedwatchCurl

// Each libcurl resource is owned by exactly one `final class …Handle` that
// frees it in deinit (DESIGN.md rule 5). None of these types, nor any C type,
// appears in a public signature. All of them are used on the engine thread
// only (see CurlEngine), which is why none is Sendable.

/// curl_global_init must run once, before any other libcurl call and not
/// concurrently with one; a Swift `static let` is initialised exactly once,
/// thread-safely (swift_once).
enum CurlGlobal {
    static let initialized: Bool = {
        fw_global_init() == CURLE_OK
    }()

    /// True when this libcurl decodes brotli (informational; ACCEPT_ENCODING ""
    /// already offers everything that was built in).
    static var versionText: String {
        String(cString: curl_version())
    }
}

/// One easy handle (one hop of one fetch), plus the memory it points into:
/// the request header list (libcurl does not copy it) and the error buffer.
final class EasyHandleHandle {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_ERRORBUFFER target, CURL_ERROR_SIZE bytes, zero-filled.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        _ = CurlGlobal.initialized
        guard let h = curl_easy_init() else { return nil }
        raw = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = fw_easy_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    deinit {
        // Order matters: the easy handle may still reference the list and the
        // buffer until curl_easy_cleanup returns.
        curl_easy_cleanup(raw)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Makes a finished handle reusable: every option back to its default
    /// (curl_easy_reset), keeping libcurl's internal buffers, which saves an
    /// allocate/free cycle of the whole handle per transfer.
    func reset() {
        curl_easy_reset(raw)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        errorBuffer[0] = 0
        _ = fw_easy_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    @discardableResult func set(_ option: CURLoption, _ value: Int) -> Bool {
        fw_easy_setopt_long(raw, option, value) == CURLE_OK
    }
    @discardableResult func set(_ option: CURLoption, _ value: String) -> Bool {
        fw_easy_setopt_string(raw, option, value) == CURLE_OK
    }
    @discardableResult func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) -> Bool {
        fw_easy_setopt_pointer(raw, option, value) == CURLE_OK
    }
    @discardableResult func setCallback(_ option: CURLoption, _ cb: curl_write_callback) -> Bool {
        fw_easy_setopt_write_callback(raw, option, cb) == CURLE_OK
    }
    @discardableResult func setOpenSocket(_ cb: curl_opensocket_callback) -> Bool {
        fw_easy_setopt_opensocket_callback(raw, cb) == CURLE_OK
    }

    /// Replaces the request header list (CURLOPT_HTTPHEADER); the handle keeps
    /// the list alive.
    func setHeaders(_ lines: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else { continue }
            list = appended
        }
        _ = fw_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
    }

    func infoLong(_ info: CURLINFO) -> Int? {
        var v: Int = 0
        return fw_easy_getinfo_long(raw, info, &v) == CURLE_OK ? v : nil
    }

    func infoString(_ info: CURLINFO) -> String? {
        var p: UnsafeMutablePointer<CChar>?
        guard fw_easy_getinfo_string(raw, info, &p) == CURLE_OK, let p else { return nil }
        return String(cString: p)
    }

    var errorText: String {
        String(cString: errorBuffer)
    }
}

/// The multi handle: connection cache, DNS cache and HTTP/2 multiplexing are
/// shared by every transfer added to it.
final class MultiHandleHandle {
    let raw: UnsafeMutableRawPointer

    init?() {
        _ = CurlGlobal.initialized
        guard let m = curl_multi_init() else { return nil }
        raw = m
    }

    deinit {
        curl_multi_cleanup(raw)
    }

    @discardableResult func set(_ option: CURLMoption, _ value: Int) -> Bool {
        fw_multi_setopt_long(raw, option, value) == CURLM_OK
    }
}

/// A parsed URL (curl's URL API, the same parser libcurl will use for the
/// request, so what we check is what gets fetched).
final class URLHandle {
    let raw: OpaquePointer

    init?() {
        guard let u = curl_url() else { return nil }
        raw = u
    }

    deinit {
        curl_url_cleanup(raw)
    }

    /// Sets (or, when a URL is already set, resolves relative to it per RFC
    /// 3986 §5.2) the full URL. Unknown schemes are accepted here so that the
    /// policy can refuse them by name (`redirect to javascript:// refused`).
    func set(url: String) -> Bool {
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME) | UInt32(CURLU_ALLOW_SPACE)
        return curl_url_set(raw, CURLUPART_URL, url, flags) == CURLUE_OK
    }

    func get(_ part: CURLUPart, flags: UInt32 = 0) -> String? {
        var p: UnsafeMutablePointer<CChar>?
        guard curl_url_get(raw, part, &p, flags) == CURLUE_OK, let p else { return nil }
        defer { curl_free(p) }
        return String(cString: p)
    }
}

/// The parts of a URL the fetcher's policy looks at.
struct ParsedURL {
    var full: String
    var scheme: String
    var host: String
    var port: String

    /// Queue key for the per-host in-flight cap: scheme, host and port, since
    /// that is what a connection (and a publisher's server) is.
    var hostKey: String { "\(scheme)://\(host):\(port)" }

    /// Parses `text`, or resolves it against `base` when given (Location).
    static func parse(_ text: String, relativeTo base: String? = nil) -> ParsedURL? {
        guard let u = URLHandle() else { return nil }
        if let base, !u.set(url: base) { return nil }
        guard u.set(url: text) else { return nil }
        guard let full = u.get(CURLUPART_URL),
              let scheme = u.get(CURLUPART_SCHEME)?.lowercased() else { return nil }
        let host = u.get(CURLUPART_HOST)?.lowercased() ?? ""
        let port = u.get(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)) ?? ""
        return ParsedURL(full: full, scheme: scheme, host: host, port: port)
    }
}
