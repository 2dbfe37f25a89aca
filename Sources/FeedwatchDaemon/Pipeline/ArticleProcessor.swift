import Foundation
import FeedwatchCore
import FeedwatchParse
import FeedwatchClassify
import FeedwatchDedup
import FeedwatchStore

/// Turns one parsed feed document into the writes of one store transaction:
/// new and edited articles with their scores, new stories, and alerts.
///
/// The rules it enforces (issue 5):
/// - an item is identified per feed (GUID, else canonical link, else title+date);
/// - an unchanged item costs nothing; an edited one is re-scored and updated;
/// - an article alerts at most once, and only when it crosses the threshold;
/// - one alert per story: a later article of an alerted story is recorded on the
///   story (it shows in `sources`), not alerted again;
/// - on a feed's first fetch, items older than `alert_backlog` are stored silently.
struct ArticleProcessor {
    let feed: FeedConfig
    let feedName: String
    let rules: KeywordRules
    let alertBacklog: Int
    let firstFetch: Bool
    let now: Date
    /// How far back a new article may join an existing story.
    static let storyWindow: TimeInterval = 7 * 86400

    struct Lookup {
        var storyForCanonicalURL: (_ urls: [String]) throws -> [String: String]
        var recentStories: (_ since: Date) throws -> [Candidate]
        var sources: (_ storyID: String) throws -> [AlertSource]
    }

    /// A recent story that a new article may join.
    struct Candidate {
        var id: String
        var fingerprint: StoryFingerprint
        var alertID: String?
    }

    struct Plan {
        var inserts: [ArticleWrite] = []
        var updates: [ArticleUpdate] = []
        var newStories: [NewStory] = []
        var alerts: [Alert] = []
    }

    /// One changed or new item, scored: the work that needs no lock.
    struct Prepared {
        var article: Article
        var contentHash: String
        var score: Score
        var previous: KnownArticle?
    }

    /// Phase 1 (no lock, the CPU-heavy part): identities, what changed, scores.
    func prepare(items: [ParsedItem], known lookupKnown: ([String]) throws -> [String: KnownArticle]) throws -> [Prepared] {
        let (identities, canonicalLinks) = ItemIdentity.identitiesAndLinks(for: items.map {
            IdentityInput(guid: $0.id, link: $0.link, title: $0.title, published: $0.published ?? $0.updated)
        })
        // A feed may list the same item twice; the first wins.
        var firstIndex: [String: Int] = [:]
        for (i, id) in identities.enumerated() where firstIndex[id] == nil { firstIndex[id] = i }
        let known = try lookupKnown(Array(firstIndex.keys))
        var prepared: [Prepared] = []
        for (index, item) in items.enumerated() {
            let identity = identities[index]
            guard firstIndex[identity] == index else { continue }
            let text = Self.plainText(of: item)
            let contentHash = Self.contentHash(item.title, text, item.link)
            let previous = known[identity]
            if let previous, previous.contentHash == contentHash
                || (previous.contentHash.hasPrefix("f1:") && previous.contentHash == Self.contentHashV1(item.title, text, item.link)) {
                continue
            }
            let canonical = canonicalLinks[index]
            let article = Article(feedURL: feed.url, feedName: feedName, identity: identity, guid: item.id,
                                  link: item.link, canonicalURL: canonical, title: item.title, text: text,
                                  published: item.published ?? item.updated, updated: item.updated, fetched: now)
            prepared.append(Prepared(article: article, contentHash: contentHash,
                                     score: rules.score(title: item.title, body: text), previous: previous))
        }
        return prepared
    }

    /// Phase 2 (under the engine's story lock, so two feeds carrying the same
    /// event at the same moment cannot each open a story): stories and alerts.
    func plan(_ prepared: [Prepared], lookup: Lookup) throws -> Plan {
        var plan = Plan()
        // Candidate stories are loaded lazily: most fetches carry nothing relevant.
        var candidates: [Candidate]?
        func storyCandidates() throws -> [Candidate] {
            if let c = candidates { return c }
            let loaded = try lookup.recentStories(now.addingTimeInterval(-Self.storyWindow))
            candidates = loaded
            return loaded
        }
        var alertedStories: Set<String> = []
        var batchSources: [String: [AlertSource]] = [:]

        for p in prepared {
            let score = p.score, previous = p.previous
            // The article goes straight into its write and is read from there,
            // not copied a second time (a retain and release of each of its
            // strings per article, on the serial commit path).
            var write = ArticleWrite(article: p.article, contentHash: p.contentHash, score: score,
                                     storyID: previous?.storyID, alerted: previous?.alerted ?? false)
            // Alert only when newly crossing the threshold, and never twice.
            let wantsAlert = score.alert && !(previous?.alerted ?? false) && !isBacklog(write.article)
            if wantsAlert || (score.alert && previous == nil) {
                let article = write.article
                let storyID = try previous?.storyID ?? assignStory(article: article, plan: &plan, lookup: lookup,
                                                                  candidates: storyCandidates,
                                                                  register: { candidates?.append($0) })
                write.storyID = storyID
                let source = AlertSource(feed: feedName, url: article.link, title: article.title)
                let recent = try storyCandidates()
                let storyAlerted = alertedStories.contains(storyID)
                    || recent.contains { $0.id == storyID && $0.alertID != nil }
                if wantsAlert && !storyAlerted {
                    let others = (try lookup.sources(storyID)) + (batchSources[storyID] ?? [])
                    plan.alerts.append(Alert(
                        id: StableID.hex("alert", storyID), storyID: storyID, feed: feedName, url: article.link,
                        title: article.title, published: article.published, fetched: now, score: score.value,
                        threshold: score.threshold, matches: score.matches, summary: Self.summary(article.text),
                        sources: others.filter { $0 != source }))
                    alertedStories.insert(storyID)
                    write.alerted = true
                } else if wantsAlert {
                    // The story already alerted: this article is recorded as one
                    // of its sources (the store keeps one alert per story).
                    write.alerted = true
                }
                batchSources[storyID, default: []].append(source)
            }
            if let previous {
                plan.updates.append(ArticleUpdate(id: previous.id, write: write))
            } else {
                plan.inserts.append(write)
            }
        }
        return plan
    }

    /// First fetch of a new feed: old items are stored without alerting.
    func isBacklog(_ article: Article) -> Bool {
        guard firstFetch, alertBacklog > 0, let published = article.published else { return false }
        return published < now.addingTimeInterval(-TimeInterval(alertBacklog))
    }

    /// Finds the story an alert-worthy article belongs to: the story of the same
    /// canonical URL (another feed carried the same page), else the closest
    /// near-duplicate among recent stories, else a new story.
    func assignStory(article: Article, plan: inout Plan, lookup: Lookup,
                     candidates: () throws -> [Candidate],
                     register: (Candidate) -> Void) throws -> String {
        if let canonical = article.canonicalURL, let id = try lookup.storyForCanonicalURL([canonical])[canonical] {
            return id
        }
        let fingerprint = StoryGrouping.fingerprint(title: article.title, text: article.text,
                                                    published: article.published ?? now)
        let pool = try candidates().map { (storyID: $0.id, fingerprint: $0.fingerprint) }
        if let id = StoryGrouping.bestMatch(for: fingerprint, among: pool) {
            return id
        }
        let id = StableID.hex("story", article.feedURL, article.identity)
        let encoded = fingerprint.encoded()
        plan.newStories.append(NewStory(id: id, published: article.published ?? now, fingerprint: encoded,
                                        title: article.title, url: article.link))
        register(Candidate(id: id, fingerprint: fingerprint, alertID: nil))
        return id
    }

    static func plainText(of item: ParsedItem) -> String {
        // Prefer the fuller of content and summary: many feeds put the whole
        // article in content:encoded and a teaser in description.
        // (Compared by raw size: converting both would double the cost.)
        let content = item.content ?? "", summary = item.summary ?? ""
        return HTMLText.plainText(content.utf8.count >= summary.utf8.count ? content : summary)
    }

    /// Detects an edited item. Not an identity (those are SHA-256, see
    /// StableID): a collision here could only hide an edit of the colliding
    /// item itself, so a fast non-cryptographic 64-bit hash does; SHA-256 over
    /// every item's text was 5% of a cold pass, and byte-wise FNV-1a ("f1:",
    /// still recognised in stored rows) 3%. "f2:" takes 8 bytes per step:
    /// xor, multiply by an odd 64-bit constant, fold the high half down; each
    /// field ends with its length, so moving text between fields changes it.
    static func contentHash(_ title: String?, _ text: String, _ link: String?) -> String {
        var h: UInt64 = 0x243F6A8885A308D3
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0x9E3779B97F4A7C15
            h ^= h >> 32
        }
        for field in [title ?? "", text, link ?? ""] {
            var f = field
            f.withUTF8 { buf in
                guard let base = UnsafeRawPointer(buf.baseAddress) else { return }
                let n = buf.count
                var i = 0
                while i + 8 <= n {
                    mix(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                    i += 8
                }
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                    shift += 8
                    i += 1
                }
                mix(tail)
            }
            mix(UInt64(field.utf8.count) | 0xFF00_0000_0000_0000)
        }
        return "f2:" + String(h, radix: 16)
    }

    /// The previous content hash (FNV-1a 64 over the fields, "f1:"), kept so
    /// articles stored by earlier versions are not all taken for edited.
    static func contentHashV1(_ title: String?, _ text: String, _ link: String?) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for field in [title ?? "", text, link ?? ""] {
            for b in field.utf8 {
                h ^= UInt64(b)
                h &*= 0x100000001b3
            }
            h ^= 0xFF   // field separator (0xFF never occurs in UTF-8)
            h &*= 0x100000001b3
        }
        return "f1:" + String(h, radix: 16)
    }

    /// The alert's summary: the first ~400 characters, cut at a word.
    static func summary(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return nil }
        if t.count <= 400 { return t }
        let cut = t.prefix(400)
        if let space = cut.lastIndex(of: " ") { return String(cut[..<space]) + "…" }
        return String(cut) + "…"
    }
}
