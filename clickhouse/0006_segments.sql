-- 0006_segments: thumbs, ratings and rating prompts per segment (widget, locale), and the
-- response rate (CONTRACT §9). Each signed change carries the segment of the event it counts
-- (a retraction: the segment of the event it retracts), lowercased locale, '' for none.
-- `prompted` is +1 at the 15-minute bucket and segment of a conversation's first
-- `conversation.csat_prompted` (-1/+1 when an earlier prompt arrives late); `responded` is +1
-- there while the conversation also has a current CSAT (it moves with the first prompt).
-- Rows counted before this migration keep segment '' (they are not rewritten).
--
-- feedback_15m's sorting key gains the segment: ClickHouse accepts only columns added in the
-- same ALTER in a new sorting key, so the columns and MODIFY ORDER BY share one statement (a
-- second run adds nothing and sets the same key). The view is changed in place with
-- MODIFY QUERY, atomically for inserts: no block is summed by both or by neither query.
ALTER TABLE feedback_changes
    ADD COLUMN IF NOT EXISTS widget_id LowCardinality(String) COMMENT 'widget of the counted event, empty for none',
    ADD COLUMN IF NOT EXISTS locale    LowCardinality(String) COMMENT 'lowercased locale of the counted event, empty for none',
    ADD COLUMN IF NOT EXISTS prompted  Int8,
    ADD COLUMN IF NOT EXISTS responded Int8;

ALTER TABLE feedback_15m
    ADD COLUMN IF NOT EXISTS widget_id LowCardinality(String),
    ADD COLUMN IF NOT EXISTS locale    LowCardinality(String),
    ADD COLUMN IF NOT EXISTS prompted  Int64,
    ADD COLUMN IF NOT EXISTS responded Int64,
    MODIFY ORDER BY (workspace_id, bucket, widget_id, locale);

ALTER TABLE feedback_15m_mv MODIFY QUERY
SELECT
    workspace_id,
    bucket,
    widget_id,
    locale,
    sum(thumbs_up)   AS thumbs_up,
    sum(thumbs_down) AS thumbs_down,
    sum(csat_sum)    AS csat_sum,
    sum(csat_count)  AS csat_count,
    sum(prompted)    AS prompted,
    sum(responded)   AS responded
FROM feedback_changes
GROUP BY workspace_id, bucket, widget_id, locale;

ALTER TABLE conversations
    ADD COLUMN IF NOT EXISTS widget_id LowCardinality(String) COMMENT 'widget of its earliest event naming one',
    ADD COLUMN IF NOT EXISTS locale    LowCardinality(String) COMMENT 'locale of its earliest event naming one';
