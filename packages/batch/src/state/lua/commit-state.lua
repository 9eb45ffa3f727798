-- commit-state.lua: commits one partition's part of a batch's resolution (state/hot.ts),
-- atomically, if nothing it was resolved from has changed since it was read, and closes the
-- generation when it reached its byte budget or its time.
--
-- The worker reads state with plain HMGETs (read-state.lua), resolves dedup and latest-wins
-- in Node, and sends here only what to write. The partition's state has a version, bumped by
-- every commit; a commit whose version (or generation) is stale writes nothing and answers
-- "conflict", and the worker reads and resolves again. So two workers never interleave
-- read-modify-write on the same partition (one owns it at a time: ADR 0009; this check keeps
-- it exact while a lease moves), and the resolution is cached under KEYS[1] in the same step
-- as the state it produced (a retried batch gets the same rows back).
--
-- KEYS: 6
-- KEYS[1]  the batch's cached resolution in this partition
-- KEYS[2]  the partition's state version
-- KEYS[3]  the generation record (hash: n, start, bytes)
-- KEYS[4]  message states, generation ARGV[1]
-- KEYS[5]  conversation states, generation ARGV[1] (with their counted events' ids)
-- KEYS[6]  generations still in Redis (sorted set, scored by generation)
-- ARGV[1]  generation the batch was resolved in
-- ARGV[2]  the version the batch was resolved from ('' = none yet)
-- ARGV[3]  the resolution, cached under KEYS[1]   ARGV[4]  seconds it lives
-- ARGV[5]  seconds a generation lasts at most      ARGV[6]  bytes a generation holds at most
-- ARGV[7]  as lines: "<message field>\t<state>" of the messages that changed
-- ARGV[8]  as lines: "<conversation field>\t<state>" of the conversations that changed or
--          counted an event
--          (fields and states as state/encoding.ts writes them: no newline; a field has no tab)
-- Few big arguments instead of one per value: building and parsing tens of thousands of
-- arguments cost the worker more.
-- Returns 'ok', 'conflict', or 'committed' (the batch was committed before).
if redis.call('EXISTS', KEYS[1]) == 1 then return 'committed' end

local gen = tonumber(redis.call('HGET', KEYS[3], 'n') or '0')
if gen ~= tonumber(ARGV[1]) then return 'conflict' end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 'conflict' end

-- What a hash entry costs beyond its field and value (entry, two strings, allocator rounding;
-- 60 to 75 bytes measured on Redis 7.0 with MEMORY USAGE): the budget counts estimated bytes.
local ENTRY_OVERHEAD = 72
-- unpack() is limited by Lua's C stack: HSET goes in chunks
local CHUNK = 4000
local written = 0
-- lines "field\tvalue" into a hash
local function store(key, text)
  if text == '' then return end
  local args, n = {}, 0
  for line in string.gmatch(text, '[^\n]+') do
    local tab = string.find(line, '\t', 1, true)
    args[n + 1], args[n + 2] = string.sub(line, 1, tab - 1), string.sub(line, tab + 1)
    written = written + #line + ENTRY_OVERHEAD
    n = n + 2
    if n >= CHUNK then
      redis.call('HSET', key, unpack(args, 1, n))
      n = 0
    end
  end
  if n > 0 then redis.call('HSET', key, unpack(args, 1, n)) end
end

store(KEYS[4], ARGV[7])
store(KEYS[5], ARGV[8])

local now = tonumber(redis.call('TIME')[1])
if written > 0 then
  redis.call('ZADD', KEYS[6], gen, gen)
  local bytes = redis.call('HINCRBY', KEYS[3], 'bytes', written)
  local start = tonumber(redis.call('HGET', KEYS[3], 'start') or '-1')
  if start < 0 then
    start = now
    redis.call('HSET', KEYS[3], 'n', gen, 'start', now)
  end
  -- Closed by budget or by time: later commits write the next generation.
  if bytes >= tonumber(ARGV[6]) or now - start >= tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[3], 'n', gen + 1, 'start', now, 'bytes', 0)
  end
end
redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[3], 'EX', tonumber(ARGV[4]))
return 'ok'
