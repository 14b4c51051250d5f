-- As SQLite's 0037: what is in force on every node, a counter per kind moved in the same
-- transaction as the change; nodes rebuild their screener or targeter when it moved.
CREATE TABLE generations (
    kind  TEXT PRIMARY KEY,            -- lists, criteria
    n     BIGINT NOT NULL
);
INSERT INTO generations (kind, n) VALUES ('lists', 0), ('criteria', 0);
