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
        var known: (_ identities: [String]) throws -> [String: KnownArticle]
        var storyForCanonicalURL: (_ urls: [String]) throws -> [String: String]
        var recentStories: (_ since: Date) throws -> [(id: String, fingerprint: [UInt8])]
        var sources: (_ storyID: String) throws -> [AlertSource]
        var storyHasAlert: (_ storyID: String) throws -> Bool
    }

    struct Plan {
        var inserts: [ArticleWrite] = []
        var updates: [ArticleUpdate] = []
        var newStories: [NewStory] = []
        var alerts: [Alert] = []
        var seen = 0
    }

    func plan(items: [ParsedItem], lookup: Lookup) throws -> Plan {
        var plan = Plan()
        plan.seen = items.count
        let identities = ItemIdentity.identities(for: items.map {
            IdentityInput(guid: $0.id, link: $0.link, title: $0.title, published: $0.published ?? $0.updated)
        })
        // A feed may list the same item twice; the first wins.
        var firstIndex: [String: Int] = [:]
        for (i, id) in identities.enumerated() where firstIndex[id] == nil { firstIndex[id] = i }
        let known = try lookup.known(Array(firstIndex.keys))

        // Candidate stories are loaded lazily: most fetches carry nothing relevant.
        var candidates: [(storyID: String, fingerprint: StoryFingerprint)]?
        func storyCandidates() throws -> [(storyID: String, fingerprint: StoryFingerprint)] {
            if let c = candidates { return c }
            let loaded = try lookup.recentStories(now.addingTimeInterval(-Self.storyWindow)).compactMap { row in
                StoryFingerprint(encoded: row.fingerprint).map { (storyID: row.id, fingerprint: $0) }
            }
            candidates = loaded
            return loaded
        }
        var alertedStories: Set<String> = []
        var batchSources: [String: [AlertSource]] = [:]

        for (index, item) in items.enumerated() {
            let identity = identities[index]
            guard firstIndex[identity] == index else { continue }
            let text = Self.plainText(of: item)
            let contentHash = StableID.hex(item.title ?? "", text, item.link ?? "")
            let previous = known[identity]
            if let previous, previous.contentHash == contentHash { continue }

            let canonical = item.link.flatMap { CanonicalURL.canonicalize($0) }
            let article = Article(feedURL: feed.url, feedName: feedName, identity: identity, guid: item.id,
                                  link: item.link, canonicalURL: canonical, title: item.title, text: text,
                                  published: item.published ?? item.updated, updated: item.updated, fetched: now)
            let score = rules.score(title: item.title, body: text)
            var write = ArticleWrite(article: article, contentHash: contentHash, score: score,
                                     storyID: previous?.storyID, alerted: previous?.alerted ?? false)

            // Alert only when newly crossing the threshold, and never twice.
            let wantsAlert = score.alert && !(previous?.alerted ?? false) && !isBacklog(article)
            if wantsAlert || (score.alert && previous == nil) {
                let storyID = try assignStory(article: article, canonical: canonical, plan: &plan,
                                              lookup: lookup, candidates: storyCandidates, register: { id, fp in
                                                  candidates?.append((storyID: id, fingerprint: fp))
                                              })
                write.storyID = storyID
                let source = AlertSource(feed: feedName, url: article.link, title: article.title)
                let storyAlreadyAlerted = try alertedStories.contains(storyID) || lookup.storyHasAlert(storyID)
                if wantsAlert && !storyAlreadyAlerted {
                    let others = (try lookup.sources(storyID)) + (batchSources[storyID] ?? [])
                    plan.alerts.append(Alert(
                        id: StableID.hex("alert", storyID), storyID: storyID, feed: feedName, url: article.link,
                        title: article.title, published: article.published, fetched: now, score: score.value,
                        threshold: score.threshold, matches: score.matches, summary: Self.summary(text),
                        sources: others.filter { $0 != source }))
                    alertedStories.insert(storyID)
                    write.alerted = true
                } else if wantsAlert {
                    // The story already alerted: this article becomes one of its sources.
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
    func assignStory(article: Article, canonical: String?, plan: inout Plan, lookup: Lookup,
                     candidates: () throws -> [(storyID: String, fingerprint: StoryFingerprint)],
                     register: (String, StoryFingerprint) -> Void) throws -> String {
        if let canonical, let id = try lookup.storyForCanonicalURL([canonical])[canonical] {
            return id
        }
        let fingerprint = StoryGrouping.fingerprint(title: article.title, text: article.text, published: article.published)
        if let id = StoryGrouping.bestMatch(for: fingerprint, among: try candidates()) {
            return id
        }
        let id = StableID.hex("story", article.feedURL, article.identity)
        plan.newStories.append(NewStory(id: id, published: article.published ?? now, fingerprint: fingerprint.encoded(),
                                        title: article.title, url: article.link))
        register(id, fingerprint)
        return id
    }

    static func plainText(of item: ParsedItem) -> String {
        // Prefer the fuller of content and summary: many feeds put the whole
        // article in content:encoded and a teaser in description.
        let content = item.content.map(HTMLText.plainText) ?? ""
        let summary = item.summary.map(HTMLText.plainText) ?? ""
        return content.count >= summary.count ? content : summary
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
