-- 0001_events: the raw log of every accepted, non-duplicate event.
-- One row per event as received (ts in UTC). Source for transcripts, knowledge gaps
-- and analysts; dashboards read the pre-aggregated tables instead.
-- Statements are separated by a semicolon at the end of a line and must be idempotent.
CREATE TABLE IF NOT EXISTS events
(
    workspace_id    LowCardinality(String),
    event_id        UUID,
    type            LowCardinality(String),
    ts              DateTime64(3, 'UTC'),
    recv            String COMMENT 'receive order: stream entry id and index, zero-padded, compares as text',
    conversation_id String,
    widget_id       LowCardinality(String),
    locale          LowCardinality(String),
    message_id      String,
    role            LowCardinality(String),
    text            String,
    thumb           LowCardinality(String),
    score           Nullable(UInt8) COMMENT 'CSAT score 1-5; thumb up = 5, down = 1',
    reason          String,
    channel         LowCardinality(String),
    received_at     DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (workspace_id, conversation_id, ts, event_id)
SETTINGS non_replicated_deduplication_window = 10000;
