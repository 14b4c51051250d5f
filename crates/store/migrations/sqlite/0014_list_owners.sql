-- Which agency a watchlist's hits go to (police for the national watchlist, customs for
-- theirs); a list without an owner is the whole unit's.
CREATE TABLE list_owners (
    list    TEXT PRIMARY KEY,
    agency  TEXT NOT NULL REFERENCES agencies(code),
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);
