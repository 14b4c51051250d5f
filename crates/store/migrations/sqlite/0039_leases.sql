-- Which worker applies a received message now, until when (milliseconds since the epoch, the
-- worker's clock): a carrier's later message waits for an earlier one while its lease lasts,
-- and takes it over once the lease ran out (its worker died).
ALTER TABLE messages ADD COLUMN lease_until INTEGER;
CREATE INDEX messages_carrier_received ON messages(carrier, id) WHERE state = 'received';
