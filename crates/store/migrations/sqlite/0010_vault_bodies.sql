-- The bytes of each message in a table of their own: updating a message's processing state
-- then rewrites a small row, not the whole body (SQLite rewrites every column of an updated
-- row). Bodies are kept exactly as received and never changed.
CREATE TABLE message_bodies (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
    body        BLOB NOT NULL
);
INSERT INTO message_bodies (message_id, body) SELECT id, body FROM messages;
ALTER TABLE messages DROP COLUMN body;
CREATE TRIGGER message_bodies_no_update BEFORE UPDATE ON message_bodies
BEGIN SELECT RAISE(ABORT, 'the vault keeps messages as received'); END;

-- The latest version of each booking of a flight, and its hash, read from the index alone
-- (the hash column comes after the booking JSON in the table row).
CREATE INDEX pnr_versions_latest ON pnr_versions(flight_id, locator, version, hash, message_id);
