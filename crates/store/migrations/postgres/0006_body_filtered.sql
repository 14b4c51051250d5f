-- Directive 2016/681 Art. 13(4): what the law does not let the unit keep is deleted on receipt,
-- the bytes kept as evidence included. A body is rewritten once, when its message is read, to
-- the message without those segments; `messages.sha256` stays the digest of what was received.
-- Any other change of a body is still refused by the database (every partition inherits the
-- trigger).
ALTER TABLE message_bodies ADD COLUMN filtered BOOLEAN NOT NULL DEFAULT FALSE;
CREATE FUNCTION passage_body_filtered_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT OLD.filtered AND NEW.filtered
       AND NEW.message_id = OLD.message_id AND NEW.received_at = OLD.received_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the vault keeps messages as received, legally filtered once';
END
$$;
DROP TRIGGER message_bodies_no_update ON message_bodies;
CREATE TRIGGER message_bodies_no_update BEFORE UPDATE ON message_bodies
    FOR EACH ROW EXECUTE FUNCTION passage_body_filtered_once();
