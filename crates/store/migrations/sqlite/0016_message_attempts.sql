-- How often recovery has started to process a message. A message that stopped the unit while
-- being processed (a crash, the memory killer) would stop it again at every start: after a
-- second try it is parked as failed, for an administrator to look at, never retried by itself.
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
