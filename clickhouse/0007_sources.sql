-- 0007_sources: the knowledge an assistant answer was built from (CONTRACT §11).
-- `sources` of a message.created event, in the order sent, one (id, title, url) each
-- ('' for an absent title or url), at most 20, ids distinct; empty on every other event.
-- The sources ranking and knowledge gaps read it from the answer's latest message.created.
-- events_gate mirrors the columns of events (0005), so it gets the column in the same migration.
ALTER TABLE events ADD COLUMN IF NOT EXISTS sources Array(Tuple(id String, title String, url String));
ALTER TABLE events_gate ADD COLUMN IF NOT EXISTS sources Array(Tuple(id String, title String, url String));
