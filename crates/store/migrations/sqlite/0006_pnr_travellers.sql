-- The identifying fields of each traveller of a booking's latest version, kept beside the
-- booking's JSON so that linking API persons to PNR travellers reads a few columns instead of
-- every booking document. Replaced whenever a booking gets a new version.
CREATE TABLE pnr_travellers (
    flight_id    INTEGER NOT NULL REFERENCES flights(id),
    locator      TEXT NOT NULL,
    reference    TEXT NOT NULL,          -- TIF reference ('' when the carrier sent none)
    surname      TEXT NOT NULL,
    given_name   TEXT NOT NULL,          -- given names as sent, title left out
    birth_dates  TEXT NOT NULL,          -- ISO dates from SSR DOCS, space-separated
    documents    TEXT NOT NULL,          -- document numbers from SSR DOCS, space-separated
    PRIMARY KEY (flight_id, locator, reference)
) WITHOUT ROWID;
