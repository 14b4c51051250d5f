-- Depersonalisation by masking (Directive 2016/681 Art. 12(2)): rows whose identifying values
-- were replaced say when; the originals are sealed (AES-256-GCM under `sealing.key`, outside
-- the database) for a disclosure an independent authority approved (Art. 12(3)).
ALTER TABLE manifest ADD COLUMN masked_at TEXT;
ALTER TABLE pnr_travellers ADD COLUMN masked_at TEXT;
ALTER TABLE pnr_versions ADD COLUMN masked_at TEXT;
ALTER TABLE hits ADD COLUMN masked_at TEXT;
ALTER TABLE targeting_hits ADD COLUMN masked_at TEXT;
-- The flight's `updated_at` when it was last masked: a later change makes it due again.
ALTER TABLE flights ADD COLUMN masked_at TEXT;

-- What each retention run masked (JSON of `store::Masked`).
ALTER TABLE retention_runs ADD COLUMN masked TEXT;

-- One sealed original per masked row: `kind` names the table, `row_key` the row (its id, or
-- locator/reference for a PNR traveller, the message id for a message's bytes).
CREATE TABLE sealed (
    id         INTEGER PRIMARY KEY,
    flight_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    row_key    TEXT NOT NULL,
    format     INTEGER NOT NULL,
    nonce      BLOB NOT NULL,
    payload    BLOB NOT NULL,
    sealed_at  TEXT NOT NULL,
    UNIQUE (kind, row_key, flight_id)
);
CREATE INDEX sealed_flight ON sealed(flight_id);
