-- PNR versions: every push of a booking kept as a version, after the legal filters.
CREATE TABLE pnr_versions (
    id           INTEGER PRIMARY KEY,
    flight_id    INTEGER NOT NULL REFERENCES flights(id),
    locator      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL REFERENCES messages(id),
    received_at  TEXT NOT NULL,
    travellers   INTEGER NOT NULL,
    booking      TEXT NOT NULL          -- JSON of the filtered booking
);
CREATE UNIQUE INDEX pnr_versions_locator ON pnr_versions(flight_id, locator, version);
CREATE INDEX pnr_versions_by_locator ON pnr_versions(locator);
