-- 0003_conversations: the current summary of each conversation, one version per change.
-- The worker writes a new row with a higher version whenever a conversation's state
-- changes; readers take the latest version (FINAL or argMax).
CREATE TABLE IF NOT EXISTS conversations
(
    workspace_id    LowCardinality(String),
    conversation_id String,
    started_at      DateTime64(3, 'UTC') COMMENT 'earliest ts seen for the conversation',
    score           Nullable(UInt8) COMMENT 'current CSAT score, null when unrated',
    negative_reason Nullable(String) COMMENT 'reason of the current rating when score <= 2',
    rated_at        Nullable(DateTime64(3, 'UTC')),
    thumbs_up       UInt32,
    thumbs_down     UInt32,
    version         UInt64,
    updated_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, conversation_id)
SETTINGS non_replicated_deduplication_window = 10000;
