-- People who sign in, the agencies they belong to, their sessions and machine tokens.
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,              -- short code, e.g. PIU, CUSTOMS, POLICE
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    agency         TEXT NOT NULL REFERENCES agencies(code),
    roles          TEXT NOT NULL,              -- comma-separated: analyst, supervisor, ...
    password_hash  TEXT NOT NULL,              -- argon2id PHC string
    failed_logins  INTEGER NOT NULL DEFAULT 0, -- consecutive failures since the last success
    locked_until   TEXT,                       -- UTC, RFC 3339, after too many failures
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

-- A session is known by the SHA-256 of its cookie value: the database never holds a usable
-- cookie. `csrf` is the synchronizer token every form and htmx request must carry.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    expires_at  TEXT NOT NULL                  -- absolute end, whatever the activity
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Bearer tokens for machine clients, also kept only as SHA-256.
CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
