/// Canonical form of an article link, used to recognise the same page reached
/// through different spellings of its URL (another feed's link, a link with a
/// newsletter's tracking tag, `HTTP://Example.org:80/a#comments` …).
///
/// Only transformations that cannot change which resource the URL names are
/// applied — RFC 3986 §6.2.2 (syntax-based) and §6.2.3 (scheme-based)
/// normalization — plus the removal of a documented list of tracking
/// parameters that servers ignore. Every other query parameter is kept, in its
/// original order, so `?id=1` and `?id=2` stay different pages.
///
/// Written by hand rather than with Foundation's `URLComponents`, whose
/// behaviour on Linux and macOS differs for non-ASCII hosts and for
/// percent-escapes, and which silently re-encodes some characters.
public enum CanonicalURL {
    /// Query parameters removed because they only tag the visit (campaign,
    /// click and share identifiers) and never select content:
    /// - `utm_*`: Google Analytics campaign tags (any name starting `utm_`)
    /// - `fbclid` (Facebook), `gclid`, `gclsrc`, `dclid`, `gbraid`, `wbraid`
    ///   (Google Ads), `msclkid` (Microsoft Ads), `yclid` (Yandex),
    ///   `twclid` (X/Twitter), `ttclid` (TikTok), `li_fat_id` (LinkedIn)
    /// - `_ga`, `_gl` (Google cross-domain linker), `mc_cid`, `mc_eid`
    ///   (Mailchimp), `_hsenc`, `_hsmi` (HubSpot), `mkt_tok` (Marketo),
    ///   `oly_anon_id`, `oly_enc_id` (Omeda), `vero_id`, `vero_conv` (Vero),
    ///   `wickedid` (Wicked Reports), `igshid` (Instagram share),
    ///   `ref_src`, `ref_url` (Twitter embeds), `__twitter_impression`,
    ///   `ocid` (MSN), `cmpid` (campaign id used by news sites' social posts).
    ///
    /// Deliberately not removed: short generic names such as `ref`, `source`,
    /// `s`, `si` or `from`, which some sites use to select content.
    public static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id",
        "_ga", "_gl", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wickedid", "igshid",
        "ref_src", "ref_url", "__twitter_impression", "ocid", "cmpid",
    ]

    /// Prefixes of tracking parameter names (compared case-insensitively).
    public static let trackingPrefixes: [String] = ["utm_"]

    /// The canonical form of `string`, or nil when it is not an absolute URL
    /// with an authority (`scheme://host…`). Idempotent:
    /// `canonical(canonical(u)!) == canonical(u)`.
    public static func canonical(_ string: String) -> String? {
        let trimmed = string.trimmingASCIIWhitespace()
        var rest = Substring(trimmed)

        // Fragment: names a part of the same resource (RFC 3986 §3.5), so it
        // never selects a different page — except the "#!" of AJAX-crawling
        // era sites, where the fragment *is* the page, so that is kept.
        var fragment: Substring? = nil
        // (Searches here go by UTF-8 byte, not by Character: every delimiter
        // is ASCII, and grapheme breaking made this 5% of a cold pass.)
        if let hash = rest.utf8.firstIndex(of: 0x23) {
            let frag = rest[rest.index(after: hash)...]
            if frag.hasPrefix("!") { fragment = frag }
            rest = rest[..<hash]
        }

        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (§3.1)
        guard let colon = rest.utf8.firstIndex(of: 0x3A) else { return nil }
        let scheme = rest[..<colon]
        func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        guard let first = scheme.utf8.first, isAlpha(first),
              scheme.utf8.allSatisfy({ isAlpha($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return nil }
        let lowerScheme = scheme.lowercased()   // §6.2.2.1: scheme is case-insensitive
        rest = rest[rest.index(after: colon)...]
        guard rest.hasPrefix("//") else { return nil }
        rest = rest.dropFirst(2)

        // authority ends at the first "/", "?" (fragment already cut).
        let authEnd = rest.utf8.firstIndex(where: { $0 == 0x2F || $0 == 0x3F }) ?? rest.endIndex
        let authority = rest[..<authEnd]
        rest = rest[authEnd...]

        var userinfo: Substring? = nil
        var hostPort = authority
        if let at = authority.utf8.lastIndex(of: 0x40) {
            userinfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
        }
        var host = hostPort
        var port: Substring? = nil
        // An IPv6 literal is bracketed (§3.2.2); its colons are not the port's.
        let searchFrom = hostPort.utf8.lastIndex(of: 0x5D) ?? hostPort.startIndex
        if let pc = hostPort[searchFrom...].utf8.lastIndex(of: 0x3A) {
            host = hostPort[..<pc]
            port = hostPort[hostPort.index(after: pc)...]
        }
        // A port is digits only (§3.2.3) and a colon in the host is only
        // valid inside an IPv6 literal; anything else is not a URL we can
        // compare safely.
        guard !host.isEmpty, port?.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ?? true,
              host.utf8.first == 0x5B || !host.utf8.contains(0x3A)
        else { return nil }
        // §6.2.2.1: host is case-insensitive. Non-ASCII (IDN) hosts are only
        // lowercased, not converted to punycode: the feed gave them that way
        // and both spellings of one feed's links stay consistent.
        // Decode first (so "%41" and "A" fold together), then restore
        // upper-case hex in the escapes that remain.
        let lowerHost = normalizePercentEncoding(normalizePercentEncoding(host).lowercased())

        // §6.2.3: an empty port, or the scheme's default port, is the same as none.
        var portPart = ""
        if let port, !port.isEmpty {
            let digits = port.drop(while: { $0 == "0" })
            let p = digits.isEmpty ? "0" : String(digits)
            if !(p == "80" && lowerScheme == "http") && !(p == "443" && lowerScheme == "https") {
                portPart = ":" + p
            }
        }

        var pathAndQuery = rest
        var query: Substring? = nil
        if let q = pathAndQuery.utf8.firstIndex(of: 0x3F) {
            query = pathAndQuery[pathAndQuery.index(after: q)...]
            pathAndQuery = pathAndQuery[..<q]
        }
        var path = removeDotSegments(normalizePercentEncoding(pathAndQuery))
        // §6.2.3: for http(s) an empty path is equivalent to "/".
        if path.isEmpty { path = "/" }

        var out = lowerScheme + "://"
        if let userinfo { out += normalizePercentEncoding(userinfo) + "@" }
        out += lowerHost + portPart + path
        if let query {
            let kept = query.split(separator: "&", omittingEmptySubsequences: true)
                .filter { !isTracking(parameter: $0) }
                .map { normalizePercentEncoding($0) }
            if !kept.isEmpty { out += "?" + kept.joined(separator: "&") }
        }
        if let fragment { out += "#" + normalizePercentEncoding(fragment) }
        return out
    }

    /// True when the `name[=value]` pair is a tracking parameter.
    static func isTracking(parameter: Substring) -> Bool {
        let rawName = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let name = normalizePercentEncoding(rawName).lowercased()
        if trackingParameters.contains(name) { return true }
        return trackingPrefixes.contains { name.hasPrefix($0) }
    }

    /// RFC 3986 §6.2.2.1 and §6.2.2.2: hex digits of escapes in upper case;
    /// escapes of unreserved characters (ALPHA / DIGIT / "-" / "." / "_" / "~")
    /// decoded. Other escapes (e.g. `%2F`, `%26`) stay, because decoding them
    /// would change the URL's structure. Characters a URL may not contain
    /// (§2: space, controls, `"<>\^`{|}`) and a `%` that starts no escape are
    /// encoded, as browsers do (WHATWG URL), so the result is stable when
    /// normalized again. Non-ASCII stays as UTF-8 (IRI form, RFC 3987).
    static func normalizePercentEncoding<S: StringProtocol>(_ s: S) -> String {
        let bytes = Array(s.utf8)
        guard bytes.contains(where: { $0 == 0x25 || mustEncode($0) }) else { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x25, i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                let v = hi << 4 | lo
                if isUnreserved(v) {
                    out.append(v)
                } else {
                    out.append(0x25); out.append(upperHex(hi)); out.append(upperHex(lo))
                }
                i += 3
            } else if b == 0x25 || mustEncode(b) {
                out.append(0x25); out.append(upperHex(b >> 4)); out.append(upperHex(b & 0xF))
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func mustEncode(_ b: UInt8) -> Bool {
        b <= 0x20 || b == 0x7F || b == 0x22 || b == 0x3C || b == 0x3E || b == 0x5C || b == 0x5E
            || b == 0x60 || b == 0x7B || b == 0x7C || b == 0x7D
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private static func upperHex(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x41 + v - 10 }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    /// RFC 3986 §5.2.4 remove_dot_segments (§6.2.2.3).
    static func removeDotSegments(_ path: String) -> String {
        // Dot segments are "." or ".." segments: a "." at the start or after a "/".
        var prev: UInt8 = 0x2F
        guard path.utf8.contains(where: { b in defer { prev = b }; return b == 0x2E && prev == 0x2F }) else { return path }
        var input = Substring(path)
        var output: [Substring] = []   // segments, each starting with "/" (or the first without)
        while !input.isEmpty {
            if input.hasPrefix("../") { input = input.dropFirst(3) }
            else if input.hasPrefix("./") { input = input.dropFirst(2) }
            else if input.hasPrefix("/./") { input = input.dropFirst(2) }
            else if input == "/." { input = "/" }
            else if input.hasPrefix("/../") { input = input.dropFirst(3); if !output.isEmpty { output.removeLast() } }
            else if input == "/.." { input = "/"; if !output.isEmpty { output.removeLast() } }
            else if input == "." || input == ".." { input = "" }
            else {
                let startOffset = input.hasPrefix("/") ? 1 : 0
                let searchStart = input.index(input.startIndex, offsetBy: startOffset)
                let end = input[searchStart...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isWSByte: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if let f = utf8.first, let l = utf8.last, !isWSByte(f), !isWSByte(l) { return self }
        let isWS: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isWS($0) }) else { return "" }
        let end = lastIndex(where: { !isWS($0) })!
        return String(self[start...end])
    }
}
