-- 0013_knowledge_gap_marks: knowledge gaps marked answered (CONTRACT §13), one row per change.
-- POST …/answered writes marked = 1 with the time the gap was answered at, the source that now
-- covers it and the gap's question keys (stems of content words, what finds its questions again in
-- any window); DELETE writes marked = 0. The greatest version of a gap is its state: readers take
-- argMax(…, version) per gap, so concurrent changes resolve latest-wins without FINAL.
-- Kept in ClickHouse beside the events it is measured against (durable, replicated and backed up
-- with them; docs/data-model.md), not in Redis, whose memory is the pipeline's budget.
CREATE TABLE IF NOT EXISTS knowledge_gap_marks
(
    workspace_id LowCardinality(String),
    gap_id       String COMMENT 'the gap id the API shows: 16 hex digits',
    marked       UInt8 COMMENT '1 marked answered, 0 unmarked',
    at           DateTime64(3, 'UTC') COMMENT 'when the gap was answered',
    source_id    String COMMENT 'the source that now covers the question, empty for none',
    keys         Array(String) COMMENT 'the gap question keys when marked',
    version      UInt64 COMMENT 'microseconds of the change; the greatest wins',
    changed_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, gap_id);
