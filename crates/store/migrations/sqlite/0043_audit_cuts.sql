-- Directive 2016/681 Art. 13(6): the records of processing are kept five years, then deleted.
-- A cut records, before the records are deleted, the last record it removes and that record's
-- hash, with a MAC under the unit's key: the chain that remains starts from it and still
-- verifies. Records may be deleted only up to a cut; cuts themselves are never changed.
CREATE TABLE audit_cuts (
    id       INTEGER PRIMARY KEY,
    upto     INTEGER NOT NULL,      -- the last record removed
    hash     TEXT NOT NULL,         -- its hash: the next record's prev_hash
    records  INTEGER NOT NULL,      -- how many records the log held up to it
    at       TEXT NOT NULL,
    mac      TEXT NOT NULL
);
CREATE TRIGGER audit_cuts_no_update BEFORE UPDATE ON audit_cuts
BEGIN SELECT RAISE(ABORT, 'audit cuts are append-only'); END;
CREATE TRIGGER audit_cuts_no_delete BEFORE DELETE ON audit_cuts
BEGIN SELECT RAISE(ABORT, 'audit cuts are append-only'); END;
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
WHEN NOT EXISTS (SELECT 1 FROM audit_cuts WHERE upto >= OLD.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
