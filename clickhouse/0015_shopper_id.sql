-- 0015_shopper_id: the optional opaque id of the shopper an event came from (CONTRACT §14), so a
-- shopper's conversations can be found and erased (POST /v1/erasures). '' when the event has none.
-- events_gate mirrors the columns of events (0005), so it gets the column in the same migration.
ALTER TABLE events ADD COLUMN IF NOT EXISTS shopper_id String;
ALTER TABLE events_gate ADD COLUMN IF NOT EXISTS shopper_id String;
