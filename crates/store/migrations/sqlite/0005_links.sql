-- Links between a person of an API manifest and a traveller of a PNR on the same flight, with
-- the fields that agreed (the explanation).
CREATE TABLE links (
    manifest_id  INTEGER PRIMARY KEY REFERENCES manifest(id),
    locator      TEXT NOT NULL,
    traveller    TEXT NOT NULL,          -- the TIF reference of the traveller in the booking
    agreed       TEXT NOT NULL           -- JSON array of field names that agreed
);
