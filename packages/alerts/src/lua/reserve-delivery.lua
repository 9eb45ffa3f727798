-- reserve-delivery.lua: takes a place in a workspace's delivery queue unless the workspace
-- already has the most queued deliveries it may. The place is the delivery's BullMQ
-- priority: the n-th queued delivery of every workspace goes before the (n+1)-th of any,
-- so one workspace's backlog never waits ahead of another's first delivery.
--
-- KEYS: 1
-- KEYS[1]  the workspace's queued deliveries (sorted set: event id -> queued at, ms)
-- ARGV[1]  delivery id (the event id)
-- ARGV[2]  now, ms
-- ARGV[3]  queued deliveries a workspace may have
-- ARGV[4]  reservations older than this (ms) are forgotten: their job finished long ago
--          and a crash kept it from releasing (no delivery is retried that long)
-- Returns the delivery's place (1 = the workspace's first queued), the same place again
-- when this id is queued already (a repeated evaluation), 0 when the workspace is full.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[4]))
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank then return rank + 1 end
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return n + 1
