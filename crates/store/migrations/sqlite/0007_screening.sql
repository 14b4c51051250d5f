-- Watchlists as imported: every version kept whole (its entries as JSON), with what changed.
CREATE TABLE watchlist_versions (
    id             INTEGER PRIMARY KEY,
    list           TEXT NOT NULL,
    number         INTEGER NOT NULL,
    format         TEXT NOT NULL,
    source_sha256  TEXT NOT NULL,
    published      TEXT,
    imported_at    TEXT NOT NULL,
    imported_by    TEXT NOT NULL,
    entries        INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    changed        INTEGER NOT NULL,
    removed        INTEGER NOT NULL,
    version        TEXT NOT NULL,          -- JSON of the whole version (entries included)
    UNIQUE (list, number)
);

-- Remembered false alarms: this identity is not this entry (until expiry).
CREATE TABLE suppressions (
    id             INTEGER PRIMARY KEY,
    fingerprint    TEXT NOT NULL,
    list           TEXT NOT NULL,
    entry_id       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    who            TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_on     TEXT,
    UNIQUE (fingerprint, list, entry_id)
);

-- Screening hits: a traveller (an API person, or a PNR traveller by booking and reference) that
-- scored at or above a list's threshold against an entry, with the explanation. One row per
-- traveller × entry: screening the same traveller again updates the score, not the review.
CREATE TABLE hits (
    id             INTEGER PRIMARY KEY,
    flight_id      INTEGER NOT NULL REFERENCES flights(id),
    manifest_id    INTEGER REFERENCES manifest(id),
    locator        TEXT,
    traveller      TEXT,
    subject        TEXT NOT NULL,          -- 'api:<manifest id>' or 'pnr:<locator>/<reference>'
    message_id     INTEGER NOT NULL REFERENCES messages(id),
    list           TEXT NOT NULL,
    list_version   INTEGER NOT NULL,
    entry_id       TEXT NOT NULL,
    score          REAL NOT NULL,
    explanation    TEXT NOT NULL,          -- JSON
    fingerprint    TEXT NOT NULL,          -- of the traveller's identity; never the identity
    state          TEXT NOT NULL DEFAULT 'open', -- open, suppressed, confirmed, false_alarm, needs_information
    suppression_id INTEGER REFERENCES suppressions(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    note           TEXT,
    UNIQUE (flight_id, subject, list, entry_id)
);
CREATE INDEX hits_state ON hits(state, created_at);
CREATE INDEX hits_flight ON hits(flight_id);
