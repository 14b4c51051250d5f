-- Keeping data only as long as the law allows (Directive 2016/681 Art. 12, C-817/19, the API
-- Directive 2004/82 Art. 6): what retention needs to find, protect, count and record.

-- The flights a message spoke of: a message's bytes are deleted when its flights' data are due.
CREATE TABLE message_flights (
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    flight_id   INTEGER NOT NULL REFERENCES flights(id),
    PRIMARY KEY (message_id, flight_id)
) WITHOUT ROWID;
CREATE INDEX message_flights_flight ON message_flights(flight_id);
INSERT OR IGNORE INTO message_flights (message_id, flight_id)
    SELECT first_message, flight_id FROM manifest
    UNION SELECT last_message, flight_id FROM manifest
    UNION SELECT message_id, flight_id FROM pnr_versions
    UNION SELECT message_id, flight_id FROM hits
    UNION SELECT message_id, flight_id FROM targeting_hits;

-- A legal hold keeps data past their retention period (an objective link: an open case): a
-- whole flight, a booking of it, or one person of its manifest. Released, never deleted while
-- the data it protects exist.
CREATE TABLE legal_holds (
    id              INTEGER PRIMARY KEY,
    flight_id       INTEGER NOT NULL REFERENCES flights(id),
    locator         TEXT,                -- a booking of the flight
    manifest_id     INTEGER,             -- a person of its manifest (no reference: kept after)
    reason          TEXT NOT NULL,
    case_reference  TEXT NOT NULL,
    placed_by       TEXT NOT NULL,
    placed_at       TEXT NOT NULL,
    released_by     TEXT,
    released_at     TEXT
);
CREATE INDEX legal_holds_flight ON legal_holds(flight_id);

-- Each retention run: its clock (a run with an earlier clock than the last is refused), its
-- policy, and what it did.
CREATE TABLE retention_runs (
    id             INTEGER PRIMARY KEY,
    policy         TEXT NOT NULL,
    policy_sha256  TEXT NOT NULL,
    now            TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    counts         TEXT
);

-- Counts that outlive the data: aggregated per flight before anything of it is deleted.
ALTER TABLE flights ADD COLUMN counted_at TEXT;
CREATE TABLE statistics (
    day          TEXT NOT NULL,         -- the flight's departure date
    carrier      TEXT NOT NULL,
    origin       TEXT NOT NULL,
    destination  TEXT NOT NULL,
    source       TEXT NOT NULL,         -- api, pnr
    role         TEXT NOT NULL,         -- passenger, crew
    nationality  TEXT NOT NULL,         -- ISO 3166 alpha-3 as sent, '' unknown
    sex          TEXT NOT NULL,         -- M, F, X, '' unknown
    age_band     TEXT NOT NULL,         -- 0-17, 18-29, 30-44, 45-59, 60+, '' unknown
    n            INTEGER NOT NULL,
    PRIMARY KEY (day, carrier, origin, destination, source, role, nationality, sex, age_band)
) WITHOUT ROWID;

-- Booking versions by time of transfer (the PNR periods run from it); when a flight's API data
-- were last erased (a later list puts new ones to judge).
CREATE INDEX pnr_versions_received ON pnr_versions(received_at);
ALTER TABLE flights ADD COLUMN api_erased_at TEXT;
-- A message is erased only when no duplicate refers to it.
CREATE INDEX messages_duplicate_of ON messages(duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Erasing a row makes the database look for the rows that refer to it (foreign keys): the
-- referring columns are indexed, or each erased message or person would read whole tables.
CREATE INDEX processed_keys_message ON processed_keys(message_id);
CREATE INDEX pnr_versions_message ON pnr_versions(message_id);
CREATE INDEX manifest_first_message ON manifest(first_message);
CREATE INDEX manifest_last_message ON manifest(last_message);
CREATE INDEX hits_message ON hits(message_id);
CREATE INDEX hits_manifest ON hits(manifest_id) WHERE manifest_id IS NOT NULL;
CREATE INDEX targeting_hits_message ON targeting_hits(message_id);
CREATE INDEX targeting_hits_manifest ON targeting_hits(manifest_id) WHERE manifest_id IS NOT NULL;
-- A remembered false alarm is erased when no hit refers to it or shares its fingerprint.
CREATE INDEX hits_fingerprint ON hits(fingerprint);
CREATE INDEX hits_suppression ON hits(suppression_id) WHERE suppression_id IS NOT NULL;
