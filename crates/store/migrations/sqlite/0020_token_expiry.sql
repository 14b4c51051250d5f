-- Bearer tokens end and can be named for revocation: an id to list and revoke one by, and an
-- expiry. Tokens made before this get 90 days from their making (an unreadable date gives an
-- expiry in the past: such a token stops working rather than living forever).
CREATE TABLE api_tokens_new (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,             -- UTC, YYYY-MM-DDTHH:MM:SSZ
    revoked_at  TEXT
);
INSERT INTO api_tokens_new (token_hash, user_id, label, created_at, expires_at, revoked_at)
SELECT token_hash, user_id, label, created_at,
       COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days'), '1970-01-01T00:00:00Z'),
       revoked_at
FROM api_tokens ORDER BY rowid;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
