-- Flights by key (carrier, number, origin, destination, local departure date).
CREATE TABLE flights (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    carrier          TEXT NOT NULL,
    number           TEXT NOT NULL,
    origin           TEXT NOT NULL,
    destination      TEXT NOT NULL,
    departure_date   TEXT NOT NULL,
    departure_local  TEXT,
    arrival_local    TEXT,
    status           TEXT NOT NULL DEFAULT 'scheduled', -- scheduled, closed, cancelled
    updated_at       TEXT NOT NULL
);
CREATE INDEX flights_date ON flights(departure_date, carrier);

-- The manifest: one row per person per flight, as lists, changes and close-outs apply.
CREATE TABLE manifest (
    id              INTEGER PRIMARY KEY,
    flight_id       INTEGER NOT NULL REFERENCES flights(id),
    reference       TEXT,                -- RFF+ABO, the carrier's passenger reference
    booking         TEXT,                -- RFF+AVF, the record locator
    role            TEXT NOT NULL,       -- passenger, crew
    status          TEXT NOT NULL,       -- reported, boarded, not_boarded, removed, cancelled
    surname         TEXT NOT NULL,
    given_names     TEXT NOT NULL,
    sex             TEXT,
    date_of_birth   TEXT,
    nationality     TEXT,
    document_number TEXT,
    document_state  TEXT,
    identity        TEXT NOT NULL,       -- JSON of model::Identity
    first_message   INTEGER NOT NULL REFERENCES messages(id),
    last_message    INTEGER NOT NULL REFERENCES messages(id)
);
CREATE INDEX manifest_flight ON manifest(flight_id, status);
CREATE UNIQUE INDEX manifest_reference ON manifest(flight_id, reference) WHERE reference IS NOT NULL;
CREATE INDEX manifest_surname ON manifest(surname);
CREATE INDEX manifest_document ON manifest(document_number);
CREATE INDEX manifest_booking ON manifest(booking);
