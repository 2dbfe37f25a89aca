/// Atom as written: Atom 1.0 (RFC 4287) and the Atom 0.3 draft
/// (https://web.archive.org/web/2004/http://www.mnot.net/drafts/draft-nottingham-atom-format-02.html).
/// Text constructs keep their decoded value (base64 already decoded, XHTML
/// serialized); links are resolved against xml:base.
struct AtomWire {
    struct Link {
        var rel: String
        var href: String?
        var type: String?
        var length: String?
    }

    struct Entry {
        var id: String?
        var title: String?
        var links: [Link] = []
        var summary: String?
        var content: String?
        var published: String?
        var issued: String?
        var created: String?
        var updated: String?
        var modified: String?
        var authors: [String] = []
        var categories: [String] = []
    }

    var isAtom10: Bool
    var version: String?
    var xmlLang: String?
    var title: String?
    var subtitle: String?
    var links: [Link] = []
    var updated: String?
    var modified: String?
    var entries: [Entry] = []
}
