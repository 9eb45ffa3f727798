-- 0004_conversations_committed_at: when each summary version was written, so the inbox can
-- page through one snapshot (versions committed at or before the first page) and never
-- skip or repeat a conversation while new versions arrive. Set by the worker at insert
-- time; rows written before this migration count as committed when they were updated.
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS committed_at DateTime64(3, 'UTC') DEFAULT updated_at;
