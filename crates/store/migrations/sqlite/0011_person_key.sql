-- The same person across trips: a key from the travel document (issuing State and number) when
-- there is one, else from the name and date of birth, both normalised. Rows of earlier versions
-- have none until a list names the person again.
ALTER TABLE manifest ADD COLUMN person_key TEXT;
CREATE INDEX manifest_person ON manifest(person_key);
