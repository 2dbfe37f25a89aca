// FeedwatchDedup — pure functions that decide "have we seen this before?"
// (no I/O, no logging, no clock: everything is an argument).
//
// How the pipeline spine uses it, per fetched document:
//
//   let ids = ItemIdentity.identities(for: items.map {
//       IdentityInput(guid: $0.id, link: $0.link, title: $0.title, published: $0.published) })
//   // ids[i] is the key of item i within its feed ("g:…", "u:…", "t:…");
//   // the store looks it up to tell new items from updates.
//   let canonical = item.link.flatMap(CanonicalURL.canonical)   // Article.canonicalURL
//
// and per article that will alert (or is stored as relevant):
//
//   let fp = StoryGrouping.fingerprint(title: a.title, text: a.text,
//                                      published: a.published ?? a.fetched)
//   // candidates: (storyID, fingerprint) of every article of the stories
//   // active within StoryGrouping.window of fp's date, from the store.
//   let storyID = StoryGrouping.bestMatch(for: fp, among: candidates)
//       ?? StableID.hex("story", a.feedURL, a.identity)
//   // store fp.encoded() (≈175 bytes) with the article.
//   let alertID = StableID.hex("alert", storyID)   // one alert per story
//
// Files: CanonicalURL.swift (RFC 3986 §6 normalization + tracking parameters),
// ItemIdentity.swift (GUID → link → title+date, GUID-reuse detection),
// StoryGrouping.swift (SimHash + salient-token cosine + time window),
// Tokenizer.swift (Unicode-aware words for English, Russian, Korean …),
// StableID.swift + SHA256.swift (deterministic ids).
