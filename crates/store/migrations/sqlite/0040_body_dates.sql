-- The receipt time beside each message's bytes. PostgreSQL keeps the bytes in one partition
-- per month of receipt (its 0005); the embedded store keeps one table with the same column, so
-- that both run the same statements.
ALTER TABLE message_bodies ADD COLUMN received_at TEXT NOT NULL DEFAULT '';
DROP TRIGGER message_bodies_no_update;
UPDATE message_bodies
   SET received_at = (SELECT received_at FROM messages WHERE messages.id = message_bodies.message_id);
CREATE TRIGGER message_bodies_no_update BEFORE UPDATE ON message_bodies
BEGIN SELECT RAISE(ABORT, 'the vault keeps messages as received'); END;
