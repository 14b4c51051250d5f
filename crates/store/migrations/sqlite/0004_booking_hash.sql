-- The hash of a booking version's content: a push that repeats a booking unchanged adds no
-- version.
ALTER TABLE pnr_versions ADD COLUMN hash TEXT NOT NULL DEFAULT '';
