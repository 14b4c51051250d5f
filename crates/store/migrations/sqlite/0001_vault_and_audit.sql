-- The vault: every message received, byte for byte, never updated but for its processing state.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    received_at   TEXT    NOT NULL,            -- UTC, RFC 3339
    channel       TEXT    NOT NULL,            -- http, folder, broker
    carrier       TEXT    NOT NULL,            -- who the credential or folder says sent it
    sha256        TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    body          BLOB    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'received', -- received, processed, failed, duplicate, waiting
    message_type  TEXT,                        -- PAXLST, CUSRES, PNRGOV … once read
    findings      TEXT,                        -- JSON array of findings, once read
    duplicate_of  INTEGER REFERENCES messages(id),
    processed_at  TEXT
);
CREATE INDEX messages_received ON messages(received_at);
CREATE INDEX messages_carrier ON messages(carrier, received_at);
CREATE INDEX messages_state ON messages(state) WHERE state IN ('received', 'waiting');

-- Keys of messages processed successfully: a key is only recorded after processing, so a
-- message that failed can be sent again and processed.
CREATE TABLE processed_keys (
    key         TEXT PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id)
);

-- The audit log: append-only, each record hash-chained to the one before.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    purpose    TEXT,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit(subject);
CREATE INDEX audit_actor ON audit(actor, at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
