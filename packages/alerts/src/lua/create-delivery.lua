-- create-delivery.lua: adds a delivery record (once per id) and drops the oldest records
-- beyond the workspace's cap, so the log stays bounded however many alerts fire.
--
-- KEYS: 2
-- KEYS[1]  the workspace's delivery records (hash: id -> JSON)
-- KEYS[2]  the workspace's delivery ids by creation time (sorted set, score = ms)
-- ARGV[1]  delivery id (the event id)
-- ARGV[2]  record JSON
-- ARGV[3]  creation time, ms
-- ARGV[4]  records kept per workspace
-- Returns 1 when added, 0 when a record with this id exists already.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  for _, id in ipairs(old) do redis.call('HDEL', KEYS[1], id) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
return 1
