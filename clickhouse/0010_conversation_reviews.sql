-- 0010_conversation_reviews: triage decisions on conversations (CONTRACT §12), one row per
-- accepted change. The version is assigned by a compare-and-set in Redis (ADR 0013), so two
-- rows of one conversation never share a version; readers take the greatest (argMax or
-- FINAL). A cleared review is a row with outcome '' (a later PUT continues its version).
CREATE TABLE IF NOT EXISTS conversation_reviews
(
    workspace_id    LowCardinality(String),
    conversation_id String,
    outcome         LowCardinality(String) COMMENT 'didnt_know, answered_weirdly, should_have_handed_over, no_issue; empty: cleared',
    note            String,
    reviewer        String COMMENT 'key id of the dashboard token that made the change',
    reviewed_at     DateTime64(3, 'UTC'),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, conversation_id)
SETTINGS non_replicated_deduplication_window = 1000;
