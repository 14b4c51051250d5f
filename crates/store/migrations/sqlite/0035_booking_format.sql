-- The format of each stored booking's JSON (pnrgov::stored::FORMAT when written): rows kept
-- before the column existed are format 1, the model's JSON as it was then. A reader that does
-- not know a row's format refuses it rather than reading it as an empty booking.
ALTER TABLE pnr_versions ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
