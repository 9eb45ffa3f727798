-- 0002_feedback_15m: thumbs and CSAT per workspace per 15-minute UTC bucket.
-- The worker resolves latest-wins state and writes signed rows to feedback_changes
-- (retract the old value at its bucket, add the new one at its own bucket). The MV is
-- an insert trigger that sums them into feedback_15m, so sums stay exact whatever
-- changes later. Days in any zone roll up at query time with toDate(bucket, tz).
CREATE TABLE IF NOT EXISTS feedback_changes
(
    workspace_id    LowCardinality(String),
    bucket          DateTime('UTC') COMMENT 'start of the 15-minute UTC bucket of the rated event ts',
    conversation_id String,
    message_id      String,
    event_id        UUID COMMENT 'the event that caused this change',
    thumbs_up       Int8,
    thumbs_down     Int8,
    csat_sum        Int16,
    csat_count      Int8
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workspace_id, bucket)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS feedback_15m
(
    workspace_id LowCardinality(String),
    bucket       DateTime('UTC'),
    thumbs_up    Int64,
    thumbs_down  Int64,
    csat_sum     Int64,
    csat_count   Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workspace_id, bucket)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS feedback_15m_mv TO feedback_15m AS
SELECT
    workspace_id,
    bucket,
    sum(thumbs_up)   AS thumbs_up,
    sum(thumbs_down) AS thumbs_down,
    sum(csat_sum)    AS csat_sum,
    sum(csat_count)  AS csat_count
FROM feedback_changes
GROUP BY workspace_id, bucket;
