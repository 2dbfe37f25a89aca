import Foundation

/// What `ItemIdentity` needs from one parsed feed item.
public struct IdentityInput: Sendable, Equatable {
    public var guid: String?
    public var link: String?
    public var title: String?
    public var published: Date?

    public init(guid: String?, link: String?, title: String?, published: Date?) {
        self.guid = guid
        self.link = link
        self.title = title
        self.published = published
    }
}

/// The stable identity of an item within its feed: the key under which an
/// item seen again (possibly edited) is recognised as the same item.
///
/// Order of preference, as in RSS 2.0 (`guid`: "a string that uniquely
/// identifies the item"), Atom (RFC 4287 §4.2.6 `atom:id`, "permanent,
/// universally unique") and JSON Feed (`id`, required, unique):
///  1. `g:<guid>`: the GUID exactly as given (trimmed). GUIDs are compared
///     verbatim — they are opaque strings, not URLs, even when they look like one.
///  2. `u:<canonical link>` (`CanonicalURL`).
///  3. `t:<16 hex>`: `StableID` of the normalized title and the published time.
///
/// Broken feeds are common: some give every item the same GUID (a CMS
/// template bug, or the feed's own URL), some repeat one link for all items.
/// Such a key no longer identifies anything, so it is detected over the whole
/// document — a key shared by items that differ in the next key down — and
/// those items fall back to the next key. Items that are true repeats (same
/// GUID, link and title) keep sharing their identity, as they should.
public enum ItemIdentity {
    public static func identities(for items: [IdentityInput]) -> [String] {
        identitiesAndLinks(for: items).identities
    }

    /// The identities and, per item, its canonical link (computed on the way,
    /// so the caller need not canonicalize every link a second time).
    public static func identitiesAndLinks(for items: [IdentityInput]) -> (identities: [String], canonicalLinks: [String?]) {
        let guids = items.map { nonEmpty($0.guid) }
        let links = items.map { nonEmpty($0.link).flatMap { CanonicalURL.canonical($0) ?? $0 } }
        let titleKeys = items.map { titleDateKey(title: $0.title, published: $0.published) }

        // Which GUIDs / links are reused for items that are not the same item.
        let badGUIDs = reusedKeys(guids, distinguishedBy: zip(links, titleKeys).map { "\($0 ?? "")\u{1F}\($1)" })
        let badLinks = reusedKeys(links, distinguishedBy: titleKeys)

        let identities = items.indices.map { i in
            if let g = guids[i], !badGUIDs.contains(g) { return "g:" + g }
            if let l = links[i], !badLinks.contains(l) { return "u:" + l }
            return "t:" + StableID.hex(titleKeys[i])
        }
        return (identities, links)
    }

    /// Keys that occur on two or more items whose `other` values differ.
    static func reusedKeys(_ keys: [String?], distinguishedBy other: [String]) -> Set<String> {
        var firstOther: [String: String] = [:]
        var bad: Set<String> = []
        for (i, key) in keys.enumerated() {
            guard let key else { continue }
            if let seen = firstOther[key] {
                if seen != other[i] { bad.insert(key) }
            } else {
                firstOther[key] = other[i]
            }
        }
        return bad
    }

    /// Title with case folded and whitespace collapsed (feeds re-wrap and
    /// re-case titles between fetches), plus the published time in whole
    /// seconds since 1970 ("" when unknown).
    static func titleDateKey(title: String?, published: Date?) -> String {
        let d = published.flatMap(wholeSeconds).map { String($0) } ?? ""
        let t = title ?? ""
        return (asciiFoldedTitle(t) ?? foldedTitle(t)) + "|" + d
    }

    /// Case folded, runs of White_Space collapsed to one space, trimmed.
    /// Scalar-wise (not Character-wise: grapheme breaking made this the
    /// costliest line of a cold pass).
    static func foldedTitle(_ title: String) -> String {
        var t = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in title.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !t.isEmpty
            } else {
                if pendingSpace { t.append(" ") }
                pendingSpace = false
                t.append(scalar)
            }
        }
        return String(t)
    }

    /// `foldedTitle` for an all-ASCII title (most of them) in one byte pass:
    /// A–Z folded, the ASCII White_Space characters (TAB, LF, VT, FF, CR,
    /// space) collapsed. nil when the title has a non-ASCII byte.
    static func asciiFoldedTitle(_ title: String) -> String? {
        var title = title
        return title.withUTF8 { buf -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(buf.count)
            var pendingSpace = false
            for b in buf {
                if b >= 0x80 { return nil }
                if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20) }
                    pendingSpace = false
                    out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, let first = s.utf8.first, let last = s.utf8.last else { return nil }
        // Nothing to trim when both ends are printable ASCII (the common case):
        // skips Foundation's trimming, which was 3% of a cold pass.
        if first > 0x20, first < 0x7F, last > 0x20, last < 0x7F { return s }
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }
}
