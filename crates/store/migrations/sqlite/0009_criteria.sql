-- Targeting criteria (Directive 2016/681 Art. 6(3)(b), 6(4)): every version kept. A version's
-- content never changes (a change is a new version); only its state moves, and every move is an
-- event. Hits name the version that produced them.
CREATE TABLE criteria_versions (
    id             INTEGER PRIMARY KEY,
    criterion      TEXT NOT NULL,          -- the criterion's name, stable across versions
    number         INTEGER NOT NULL,       -- 1, 2, … per criterion
    text           TEXT NOT NULL,          -- canonical form, as checked
    weight         REAL NOT NULL,
    justification  TEXT NOT NULL,
    review_by      TEXT NOT NULL,          -- ISO date
    author         TEXT NOT NULL,
    state          TEXT NOT NULL,          -- draft, submitted, approved, active, rejected, retired
    approved_by    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (criterion, number)
);
CREATE INDEX criteria_versions_state ON criteria_versions(state);

CREATE TRIGGER criteria_versions_content_fixed
BEFORE UPDATE OF criterion, number, text, weight, justification, review_by, author ON criteria_versions
BEGIN
    SELECT RAISE(ABORT, 'a criterion version is never edited: write a new version');
END;

CREATE TRIGGER criteria_versions_kept
BEFORE DELETE ON criteria_versions
BEGIN
    SELECT RAISE(ABORT, 'criterion versions are kept');
END;

-- What happened to each version: append-only.
CREATE TABLE criteria_events (
    id             INTEGER PRIMARY KEY,
    version_id     INTEGER NOT NULL REFERENCES criteria_versions(id),
    action         TEXT NOT NULL,          -- create, submit, withdraw, approve, reject, activate, retire
    actor          TEXT NOT NULL,
    role           TEXT NOT NULL,          -- analyst, supervisor, system
    from_state     TEXT,
    to_state       TEXT NOT NULL,
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX criteria_events_version ON criteria_events(version_id, id);

CREATE TRIGGER criteria_events_no_update
BEFORE UPDATE ON criteria_events
BEGIN
    SELECT RAISE(ABORT, 'criterion events are append-only');
END;

CREATE TRIGGER criteria_events_no_delete
BEFORE DELETE ON criteria_events
BEGIN
    SELECT RAISE(ABORT, 'criterion events are append-only');
END;

-- Targeting hits: a traveller that an active criterion version matched, with the explanation,
-- waiting for a person's review. One row per flight × traveller × version: evaluating the same
-- traveller again (a later push) updates the explanation, never the review.
CREATE TABLE targeting_hits (
    id             INTEGER PRIMARY KEY,
    flight_id      INTEGER NOT NULL REFERENCES flights(id),
    manifest_id    INTEGER REFERENCES manifest(id),
    locator        TEXT,
    traveller      TEXT,
    subject        TEXT NOT NULL,          -- 'api:<manifest id>' or 'pnr:<locator>/<reference>'
    message_id     INTEGER NOT NULL REFERENCES messages(id),
    version_id     INTEGER NOT NULL REFERENCES criteria_versions(id),
    score          REAL NOT NULL,
    explanation    TEXT NOT NULL,          -- JSON: the conditions with the traveller's values
    state          TEXT NOT NULL DEFAULT 'open', -- open, confirmed, false_alarm, needs_information
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    note           TEXT,
    UNIQUE (flight_id, subject, version_id)
);
CREATE INDEX targeting_hits_state ON targeting_hits(state, created_at);
CREATE INDEX targeting_hits_version ON targeting_hits(version_id, state);
CREATE INDEX targeting_hits_flight ON targeting_hits(flight_id);
