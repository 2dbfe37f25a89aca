import GRDB

/// The schema, as an append-only list of migrations ("v1", "v2", …). A
/// released migration is never edited: a change is a new migration, so every
/// database ever written can be brought to the latest schema
/// (https://swiftpackageindex.com/groue/grdb.swift/documentation/grdb/migrations).
///
/// Conventions:
/// - Times are INTEGER milliseconds since 1970-01-01 UTC (6 bytes per value
///   in SQLite's record format instead of 23+ for ISO text; still readable
///   with `datetime(x/1000, 'unixepoch')`).
/// - Booleans are INTEGER 0/1.
/// - Articles refer to their feed by a small integer id, not by URL: the URL
///   would otherwise be repeated in every article row and in its identity index.
enum Schema {
    /// Every migration identifier, in order. The newest is the current schema.
    static let versions = ["v1", "v2", "v3", "v4"]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()

        // v1: the base schema.
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE feed (
                    id                 INTEGER PRIMARY KEY,
                    configured_url     TEXT NOT NULL UNIQUE,
                    current_url        TEXT NOT NULL,
                    name               TEXT,
                    display_name       TEXT,          -- config name, else the feed's title (for alert sources)
                    etag               TEXT,
                    last_modified      TEXT,
                    body_hash          TEXT,
                    last_fetch         INTEGER,
                    last_status        INTEGER,
                    consecutive_errors INTEGER NOT NULL DEFAULT 0,
                    next_due           INTEGER,
                    retry_after_until  INTEGER,
                    gone               INTEGER NOT NULL DEFAULT 0,
                    last_error         TEXT,
                    items_seen         INTEGER NOT NULL DEFAULT 0,
                    alerts             INTEGER NOT NULL DEFAULT 0,
                    first_fetch_done   INTEGER NOT NULL DEFAULT 0,
                    hints              TEXT,          -- JSON, owned by the scheduler
                    created_at         INTEGER NOT NULL
                );

                CREATE TABLE story (
                    id          TEXT PRIMARY KEY NOT NULL,
                    first_seen  INTEGER NOT NULL,
                    published   INTEGER,
                    fingerprint BLOB NOT NULL,
                    alert_id    TEXT,
                    title       TEXT,
                    url         TEXT
                );
                -- recentStories(since:) reads a bounded window of this index.
                CREATE INDEX story_first_seen ON story(first_seen);

                -- No AUTOINCREMENT: rows are never deleted (retention keeps
                -- tombstones), so rowids are never reused anyway, and
                -- AUTOINCREMENT would cost a sqlite_sequence write per insert.
                CREATE TABLE article (
                    id            INTEGER PRIMARY KEY,
                    feed_id       INTEGER NOT NULL REFERENCES feed(id),
                    identity      TEXT NOT NULL,
                    canonical_url TEXT,
                    link          TEXT,               -- NULL when equal to canonical_url (saves a URL per row)
                    title         TEXT,
                    text          TEXT,
                    published     INTEGER,
                    updated       INTEGER,
                    fetched       INTEGER NOT NULL,   -- first seen
                    content_hash  TEXT NOT NULL,
                    score         REAL,
                    threshold     REAL,
                    matches       TEXT,               -- JSON [{term, group, weight, count}], NULL when none
                    alerted       INTEGER NOT NULL DEFAULT 0,
                    story_id      TEXT REFERENCES story(id),
                    UNIQUE (feed_id, identity)        -- the per-fetch dedup lookup
                );
                CREATE INDEX article_canonical_url ON article(canonical_url) WHERE canonical_url IS NOT NULL;
                CREATE INDEX article_story ON article(story_id) WHERE story_id IS NOT NULL;

                -- The alert outbox: written in the same transaction as the
                -- articles that raised the alerts, delivered to each sink
                -- independently, marked per sink only once the write is durable.
                CREATE TABLE outbox (
                    alert_id        TEXT PRIMARY KEY NOT NULL,
                    story_id        TEXT NOT NULL UNIQUE REFERENCES story(id),  -- one alert per story
                    created         INTEGER NOT NULL,
                    payload         TEXT NOT NULL,    -- the full Alert as JSON
                    spool_delivered INTEGER,
                    spool_attempts  INTEGER NOT NULL DEFAULT 0,
                    spool_error     TEXT,
                    log_delivered   INTEGER,
                    log_attempts    INTEGER NOT NULL DEFAULT 0,
                    log_error       TEXT
                );
                -- Pending deliveries stay cheap to find however long the history is.
                CREATE INDEX outbox_pending_spool ON outbox(created) WHERE spool_delivered IS NULL;
                CREATE INDEX outbox_pending_log ON outbox(created) WHERE log_delivered IS NULL;
                """)
        }

        // v2: retention and feed lifecycle.
        // - article.pruned marks a tombstone: the body is gone, the identity
        //   (and title/link/story) stays so the item is still "known" and
        //   never re-alerts. The partial index holds only unpruned rows, so
        //   the retention sweep finds its work without scanning tombstones.
        // - feed.active: a feed removed from the config keeps its row (and
        //   its articles, so re-adding it does not re-alert its backlog) but
        //   is not listed by `status`.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE article ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX article_unpruned_fetched ON article(fetched) WHERE pruned = 0;
                ALTER TABLE feed ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
                """)
        }
        // v3: article bodies move to their own table. Pruning by
        // `UPDATE article SET text = NULL` (v2) shrinks rows in place, and
        // SQLite does not rebalance B-tree pages after a shrinking update,
        // so pages stayed allocated and the file never stopped growing.
        // Deleting rows of a separate body table frees whole pages, which new
        // rows reuse: the database size stays bounded by retention.
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE article_body (
                    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
                    text       TEXT NOT NULL
                );
                INSERT INTO article_body (article_id, text)
                    SELECT id, text FROM article WHERE text IS NOT NULL AND text <> '';
                ALTER TABLE article DROP COLUMN text;
                """)
        }
        // v4: the canonical-URL index holds only articles that belong to a
        // story. Its one reader (the cross-feed duplicate check,
        // `knownCanonicalURLs`) asks only for those, and ~99% of articles
        // never join a story: indexing every URL cost an index insert per
        // new article (a long string key) and its pages in every commit.
        m.registerMigration("v4") { db in
            try db.execute(sql: """
                DROP INDEX article_canonical_url;
                CREATE INDEX article_canonical_url_in_story ON article(canonical_url)
                    WHERE story_id IS NOT NULL AND canonical_url IS NOT NULL;
                """)
        }
        return m
    }
}
