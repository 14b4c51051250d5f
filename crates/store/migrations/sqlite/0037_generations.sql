-- What is in force on every node: a counter per kind, moved in the same transaction as the
-- change (a list version, a remembered false alarm, a criterion's move). A node compares it with
-- the one it built its screener or targeter at and rebuilds when it moved, so that a change
-- made on one node is in force on all within seconds.
CREATE TABLE generations (
    kind  TEXT PRIMARY KEY,            -- lists, criteria
    n     INTEGER NOT NULL
);
INSERT INTO generations (kind, n) VALUES ('lists', 0), ('criteria', 0);
