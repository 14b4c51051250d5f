-- As SQLite's 0038: the series a waiting part belongs to, for any node to find its parts.
ALTER TABLE messages ADD COLUMN series TEXT;
CREATE INDEX messages_series ON messages(series) WHERE series IS NOT NULL;
