-- A keyed MAC (HMAC-SHA256 of the record's number and hash, with the unit's key kept outside
-- the database) on every audit record from now on: a record rewritten and re-chained by someone
-- without the key no longer verifies. Records from before stay without one (NULL) and are
-- checked by their hash chain only, up to the seal written when the key was made.
ALTER TABLE audit ADD COLUMN mac TEXT;
