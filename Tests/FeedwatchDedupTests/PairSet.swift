import Foundation
@testable import FeedwatchDedup

/// The labelled pair set in Fixtures/ (built by Fixtures/make_pairs.py).
struct PairSet {
    struct Article: Decodable {
        var id: String
        var lang: String
        var title: String?
        var text: String
        var published: String?

        var date: Date? {
            guard let published else { return nil }
            return ISO8601DateFormatter().date(from: published)
        }
    }
    struct Pair: Decodable {
        var a: String
        var b: String
        var same: Bool
        var kind: String
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    var articles: [String: Article] = [:]
    var pairs: [Pair] = []

    static func load() throws -> PairSet {
        var set = PairSet()
        let dec = JSONDecoder()
        for line in try lines("articles.jsonl") {
            let a = try dec.decode(Article.self, from: Data(line.utf8))
            set.articles[a.id] = a
        }
        for line in try lines("pairs.jsonl") {
            set.pairs.append(try dec.decode(Pair.self, from: Data(line.utf8)))
        }
        return set
    }

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    func fingerprint(_ id: String) -> StoryFingerprint {
        let a = articles[id]!
        return StoryGrouping.fingerprint(title: a.title, text: a.text, published: a.date)
    }

    struct Counts {
        var tp = 0, fp = 0, fn = 0, tn = 0
        var precision: Double { tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp) }
        var recall: Double { tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn) }
        mutating func add(predicted: Bool, actual: Bool) {
            switch (predicted, actual) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, true): fn += 1
            case (false, false): tn += 1
            }
        }
    }
}
