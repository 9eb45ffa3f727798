-- committed-watermark.lua: the latest stamp at or before which every conversation version is
-- stored: one ms before the oldest in-flight batch's stamp, or now when none is in flight.
--
-- KEYS: 1
-- KEYS[1]  batches inserting conversation versions now (sorted set, score = stamp)
-- ARGV[1]  ms after which an entry is a writer that died mid-insert (dropped)
-- Returns the watermark (ms).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
-- One ms before: a batch registering in this very ms stamps now.
if oldest then return math.min(now, tonumber(oldest)) - 1 end
return now - 1
