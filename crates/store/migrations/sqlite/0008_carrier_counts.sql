-- Carrier compliance counters per day (UTC) of receipt: received, processed, duplicates, failed,
-- with errors, incomplete series, persons missing fields, sensitive data deleted, and timing
-- against the push windows (PNR too early, first PNR too late, API list after departure,
-- close-out late, timing unknown). The scorecard reads these over time.
CREATE TABLE carrier_counts (
    carrier  TEXT NOT NULL,
    day      TEXT NOT NULL,
    name     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (carrier, day, name)
) WITHOUT ROWID;
