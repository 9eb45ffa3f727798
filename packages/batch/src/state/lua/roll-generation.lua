-- roll-generation.lua: closes a partition's current generation once it is older than its time,
-- when no commit did (a quiet partition): its state can then be archived and leave Redis.
-- Bumps the version, so a batch resolved in the closed generation commits nothing and
-- resolves again.
--
-- KEYS: 2
-- KEYS[1]  the generation record (hash: n, start, bytes)
-- KEYS[2]  the partition's state version
-- ARGV[1]  seconds a generation lasts at most
-- Returns the current generation (after the roll, if any).
local record = redis.call('HMGET', KEYS[1], 'n', 'start')
local gen = tonumber(record[1] or '0')
local start = tonumber(record[2] or '-1')
if start < 0 then return gen end
local now = tonumber(redis.call('TIME')[1])
if now - start >= tonumber(ARGV[1]) then
  gen = gen + 1
  redis.call('HSET', KEYS[1], 'n', gen, 'start', now, 'bytes', 0)
  redis.call('INCR', KEYS[2])
end
return gen
