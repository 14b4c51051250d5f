-- The vault's bytes in one partition per month of receipt (UTC; `received_at` is RFC 3339
-- text, so the month 'YYYY-MM' bounds it as text): a month's bytes leave with one DROP TABLE
-- when the law says they must, and each month's index stays its own size. Partitions are made
-- ahead by the store (store/src/partitions.rs); what falls outside them is kept in the default
-- partition. As SQLite's 0040, which adds the same column to one table.
ALTER TABLE message_bodies RENAME TO message_bodies_unpartitioned;
DROP TRIGGER message_bodies_no_update ON message_bodies_unpartitioned;

CREATE TABLE message_bodies (
    message_id   BIGINT NOT NULL REFERENCES messages(id),
    received_at  TEXT NOT NULL,
    body         BYTEA NOT NULL,
    PRIMARY KEY (message_id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE message_bodies_default PARTITION OF message_bodies DEFAULT;

-- The months already kept, then their bytes.
DO $$
DECLARE
    m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', received_at::timestamptz AT TIME ZONE 'UTC')::date
               FROM messages
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF message_bodies FOR VALUES FROM (%L) TO (%L)',
                       'message_bodies_' || to_char(m, 'YYYY_MM'),
                       to_char(m, 'YYYY-MM'),
                       to_char(m + interval '1 month', 'YYYY-MM'));
    END LOOP;
END
$$;
INSERT INTO message_bodies (message_id, received_at, body)
SELECT b.message_id, m.received_at, b.body
  FROM message_bodies_unpartitioned b JOIN messages m ON m.id = b.message_id;
DROP TABLE message_bodies_unpartitioned;

CREATE TRIGGER message_bodies_no_update BEFORE UPDATE ON message_bodies
    FOR EACH ROW EXECUTE FUNCTION passage_refuse('the vault keeps messages as received');
