import Foundation

/// JSON Feed 1.0 / 1.1 as written (https://www.jsonfeed.org/version/1.1/):
/// only the members feedwatch uses. Decoding is lenient per member — a member
/// of the wrong type is treated as absent (the spec asks readers to be
/// forgiving) — so one odd field cannot make a whole feed unreadable.
struct JSONFeedWire: Decodable {
    struct Author: Decodable {
        var name: String?
        var url: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            name = c.lenient(String.self, "name")
            url = c.lenient(String.self, "url")
        }
    }

    struct Attachment: Decodable {
        var url: String?
        var mimeType: String?
        var size: Int?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            url = c.lenient(String.self, "url")
            mimeType = c.lenient(String.self, "mime_type")
            size = c.lenient(Int.self, "size_in_bytes") ?? c.lenient(Double.self, "size_in_bytes").flatMap { Int(exactly: $0.rounded()) }
        }
    }

    struct Item: Decodable {
        var id: String?
        var url: String?
        var externalURL: String?
        var title: String?
        var summary: String?
        var contentHTML: String?
        var contentText: String?
        var datePublished: String?
        var dateModified: String?
        var authors: [Author] = []
        var tags: [String] = []
        var attachments: [Attachment] = []

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            // §"Items": id is a string, but 1.0 feeds often wrote numbers.
            id = c.lenient(String.self, "id") ?? c.lenient(Int64.self, "id").map(String.init)
                ?? c.lenient(Double.self, "id").map { String($0) }
            url = c.lenient(String.self, "url")
            externalURL = c.lenient(String.self, "external_url")
            title = c.lenient(String.self, "title")
            summary = c.lenient(String.self, "summary")
            contentHTML = c.lenient(String.self, "content_html")
            contentText = c.lenient(String.self, "content_text")
            datePublished = c.lenient(String.self, "date_published")
            dateModified = c.lenient(String.self, "date_modified")
            authors = c.lenientList(Author.self, "authors")
            if authors.isEmpty, let a = c.lenient(Author.self, "author") { authors = [a] }
            tags = c.lenientList(String.self, "tags")
            attachments = c.lenientList(Attachment.self, "attachments")
        }
    }

    var version: String
    var title: String?
    var homePageURL: String?
    var description: String?
    var language: String?
    var authors: [Author] = []
    var items: [Item] = []

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        version = c.lenient(String.self, "version") ?? ""
        title = c.lenient(String.self, "title")
        homePageURL = c.lenient(String.self, "home_page_url")
        description = c.lenient(String.self, "description")
        language = c.lenient(String.self, "language")
        authors = c.lenientList(Author.self, "authors")
        if authors.isEmpty, let a = c.lenient(Author.self, "author") { authors = [a] }
        items = c.lenientList(Item.self, "items")
        guard version.contains("jsonfeed.org/version/") || (c.contains(JSONKey("items")) && title != nil) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON Feed"))
        }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Result<JSONFeedWire, ParseError> {
        do {
            return .success(try JSONDecoder().decode(JSONFeedWire.self, from: Data(bytes)))
        } catch DecodingError.dataCorrupted(let ctx) where ctx.debugDescription == "not a JSON Feed" {
            return .failure(.notAFeed("JSON document is not a JSON Feed"))
        } catch DecodingError.typeMismatch {
            return .failure(.notAFeed("JSON document is not a JSON Feed"))
        } catch {
            return .failure(.malformed("invalid JSON"))
        }
    }
}

struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct Skip: Decodable { init(from decoder: Decoder) throws {} }

extension KeyedDecodingContainer where K == JSONKey {
    func lenient<T: Decodable>(_ type: T.Type, _ key: String) -> T? {
        (try? decodeIfPresent(T.self, forKey: JSONKey(key))) ?? nil
    }

    /// An array member; elements of the wrong type are skipped.
    func lenientList<T: Decodable>(_ type: T.Type, _ key: String) -> [T] {
        guard var list = try? nestedUnkeyedContainer(forKey: JSONKey(key)) else { return [] }
        var out: [T] = []
        while !list.isAtEnd {
            if let v = try? list.decode(T.self) { out.append(v) } else if (try? list.decode(Skip.self)) == nil { break }
        }
        return out
    }
}
