-- Requests to read masked data again (Directive 2016/681 Art. 12(3)): filed by the unit,
-- decided by an independent authority of another agency, reviewed by the DPO.
CREATE TABLE unmask_requests (
    id               INTEGER PRIMARY KEY,
    flight_id        INTEGER NOT NULL REFERENCES flights(id),
    manifest_id      INTEGER,
    locator          TEXT,
    case_reference   TEXT NOT NULL,
    grounds          TEXT NOT NULL,
    requested_by     TEXT NOT NULL,
    agency           TEXT NOT NULL,
    requested_at     TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    decided_by       TEXT,
    decided_agency   TEXT,
    decided_at       TEXT,
    decision         TEXT,
    valid_until      TEXT,
    dpo_reviewed_by  TEXT,
    dpo_reviewed_at  TEXT,
    CHECK (manifest_id IS NOT NULL OR locator IS NOT NULL),
    CHECK (state <> 'approved' OR valid_until IS NOT NULL)
);
CREATE INDEX unmask_requests_flight ON unmask_requests(flight_id);
CREATE INDEX unmask_requests_by ON unmask_requests(requested_by, id);
