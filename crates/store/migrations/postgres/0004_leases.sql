-- As SQLite's 0039: the lease on applying a received message, until when (milliseconds since
-- the epoch, the worker's clock).
ALTER TABLE messages ADD COLUMN lease_until BIGINT;
CREATE INDEX messages_carrier_received ON messages(carrier, id) WHERE state = 'received';
