-- 0008_state_archive: the cold tier of the worker's dedup and latest-wins state (ADR 0010).
-- Redis keeps the state of messages and conversations changed within the hot window
-- (THUMBLINE_HOT_WINDOW_SECONDS); when a window's generation closes, the worker copies it
-- here, field and value as Redis held them, and drops it from Redis. A batch looks up here,
-- in one query, what Redis does not hold; the greatest generation of a field is its state.
-- Event ids are not copied: a late event's id is looked up in `events` itself.
CREATE TABLE IF NOT EXISTS state_archive
(
    workspace_id LowCardinality(String),
    kind         Enum8('message' = 1, 'conversation' = 2),
    field        String COMMENT 'the state hash field: <workspace>:<id as JSON>',
    generation   UInt32 COMMENT 'hot-window generation the state was last written in; the greatest wins',
    value        String COMMENT 'the state as Redis stored it',
    archived_at  DateTime('UTC')
)
ENGINE = ReplacingMergeTree(generation)
ORDER BY (workspace_id, kind, field)
TTL archived_at + INTERVAL 45 DAY
SETTINGS index_granularity = 256;
