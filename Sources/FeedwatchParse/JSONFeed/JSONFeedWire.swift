import Foundation

/// JSON Feed 1.0 / 1.1 as written (https://www.jsonfeed.org/version/1.1/),
/// read with JSONSerialization: only the members feedwatch uses, each checked
/// for its type (a wrong type is treated as absent, as §"Extensions" asks
/// readers to be forgiving).
struct JSONFeedWire {
    struct Attachment { var url: String; var mimeType: String?; var size: Int? }
    struct Item {
        var id: String?
        var url: String?
        var externalURL: String?
        var title: String?
        var summary: String?
        var contentHTML: String?
        var contentText: String?
        var datePublished: String?
        var dateModified: String?
        var authors: [String] = []
        var tags: [String] = []
        var attachments: [Attachment] = []
    }

    var version: String
    var title: String?
    var homePageURL: String?
    var description: String?
    var language: String?
    var items: [Item] = []

    /// Nil when the JSON is not a JSON Feed document.
    init?(json: Any) {
        guard let o = json as? [String: Any] else { return nil }
        let version = o["version"] as? String ?? ""
        guard version.contains("jsonfeed.org/version/") || (o["items"] is [Any] && o["title"] is String) else { return nil }
        self.version = version
        title = o["title"] as? String
        homePageURL = o["home_page_url"] as? String
        description = o["description"] as? String
        language = o["language"] as? String
        let feedAuthors = Self.authors(o)
        for case let i as [String: Any] in (o["items"] as? [Any] ?? []) {
            var item = Item()
            if let s = i["id"] as? String { item.id = s } else if let n = i["id"] as? NSNumber { item.id = n.stringValue }
            item.url = i["url"] as? String
            item.externalURL = i["external_url"] as? String
            item.title = i["title"] as? String
            item.summary = i["summary"] as? String
            item.contentHTML = i["content_html"] as? String
            item.contentText = i["content_text"] as? String
            item.datePublished = i["date_published"] as? String
            item.dateModified = i["date_modified"] as? String
            item.authors = Self.authors(i)
            if item.authors.isEmpty { item.authors = feedAuthors }
            item.tags = (i["tags"] as? [Any] ?? []).compactMap { $0 as? String }
            for case let a as [String: Any] in (i["attachments"] as? [Any] ?? []) {
                guard let url = a["url"] as? String else { continue }
                item.attachments.append(Attachment(url: url, mimeType: a["mime_type"] as? String,
                                                   size: (a["size_in_bytes"] as? NSNumber)?.intValue))
            }
            items.append(item)
        }
    }

    /// 1.1 `authors` array, else 1.0 `author` object.
    private static func authors(_ o: [String: Any]) -> [String] {
        var out: [String] = []
        var list = (o["authors"] as? [Any]) ?? []
        if list.isEmpty, let a = o["author"] { list = [a] }
        for case let a as [String: Any] in list {
            if let n = (a["name"] as? String)?.trimmedOrNil { out.append(n) }
            else if let u = (a["url"] as? String)?.trimmedOrNil { out.append(u) }
        }
        return out
    }
}
