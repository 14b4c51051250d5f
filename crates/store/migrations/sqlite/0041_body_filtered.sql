-- Directive 2016/681 Art. 13(4): what the law does not let the unit keep is deleted on receipt,
-- the bytes kept as evidence included. A body is rewritten once, when its message is read, to
-- the message without those segments; `messages.sha256` stays the digest of what was received.
-- Any other change of a body is still refused by the database.
ALTER TABLE message_bodies ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER message_bodies_no_update;
CREATE TRIGGER message_bodies_no_update BEFORE UPDATE ON message_bodies
WHEN NOT (OLD.filtered = 0 AND NEW.filtered = 1
          AND NEW.message_id = OLD.message_id AND NEW.received_at = OLD.received_at)
BEGIN SELECT RAISE(ABORT, 'the vault keeps messages as received, legally filtered once'); END;
