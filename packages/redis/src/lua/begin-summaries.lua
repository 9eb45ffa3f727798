-- begin-summaries.lua: registers a batch's summary insert in the in-flight set and answers
-- its stamp (Redis's clock, ms), the committed_at of the conversation versions it inserts
-- (commit-watermark.ts).
--
-- KEYS: 1
-- KEYS[1]  batches inserting conversation versions now (sorted set, score = stamp)
-- ARGV[1]  batch id
-- Returns the stamp.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
