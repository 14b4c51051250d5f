-- The series a waiting part belongs to (its key: sender, flight, reference), so that any node
-- sharing the store finds the other parts of a series, wherever they were received.
ALTER TABLE messages ADD COLUMN series TEXT;
CREATE INDEX messages_series ON messages(series) WHERE series IS NOT NULL;
