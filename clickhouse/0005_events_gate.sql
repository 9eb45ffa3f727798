-- 0005_events_gate: a table with the columns of `events` that stores nothing.
-- The worker inserts into it only to find which rows of a batch ClickHouse refuses for
-- their data (a string it cannot store, a time out of range): inserting there runs the
-- same parser and type conversions as `events` and writes nothing (ADR 0008).
-- A column added to `events` later must be added here in the same migration.
CREATE TABLE IF NOT EXISTS events_gate AS events ENGINE = Null;
