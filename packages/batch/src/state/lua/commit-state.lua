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
-- KEYS[4]  message states' key prefix, generation ARGV[1] (a bucket's key: "<prefix>:<bucket>")
-- KEYS[5]  conversation states' key prefix, generation ARGV[1] (with their counted events' ids)
-- KEYS[6]  generations still in Redis (sorted set, scored by generation)
-- ARGV[1]  generation the batch was resolved in
-- ARGV[2]  the version the batch was resolved from ('' = none yet)
-- ARGV[3]  the resolution, cached under KEYS[1]   ARGV[4]  seconds it lives
-- ARGV[5]  seconds a generation lasts at most      ARGV[6]  bytes a generation holds at most
-- ARGV[9]  the partition's bucket count (a bucket's key: "<prefix>:<bucket>", 0 to count - 1)
-- ARGV[7]  as lines: "<bucket>\t<message field>\t<state>" of the messages that changed
-- ARGV[8]  as lines: "<bucket>\t<conversation field>\t<state>" of the conversations that
--          changed or counted an event
--          (fields and states as state/encoding.ts writes them: no newline; a field has no tab)
-- Few big arguments instead of one per value: building and parsing tens of thousands of
-- arguments cost the worker more.
-- Returns 'ok', 'conflict', or 'committed' (the batch was committed before).
if redis.call('EXISTS', KEYS[1]) == 1 then return 'committed' end

local gen = tonumber(redis.call('HGET', KEYS[3], 'n') or '0')
if gen ~= tonumber(ARGV[1]) then return 'conflict' end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 'conflict' end

-- What a hash entry costs beyond its field and value in a hash table (entry, two strings,
-- allocator rounding; 60 to 75 bytes measured on Redis 7.0 with MEMORY USAGE). The estimate
-- counts every write so, as if each were a new entry in a hash table: it never undercounts, and
-- overcounts a lot (buckets are listpacks of a few bytes per entry; a conversation rewritten
-- per counted event is counted each time). It only says when to measure: see below.
local ENTRY_OVERHEAD = 72
local written = 0
-- lines "bucket\tfield\tvalue" into the prefix's buckets, one HSET per bucket
local function store(prefix, text)
  if text == '' then return end
  local byBucket, order = {}, {}
  for line in string.gmatch(text, '[^\n]+') do
    local t1 = string.find(line, '\t', 1, true)
    local t2 = string.find(line, '\t', t1 + 1, true)
    local b = string.sub(line, 1, t1 - 1)
    local args = byBucket[b]
    if not args then
      args = {}
      byBucket[b] = args
      order[#order + 1] = b
    end
    args[#args + 1] = string.sub(line, t1 + 1, t2 - 1)
    args[#args + 1] = string.sub(line, t2 + 1)
    written = written + #line - t1 + ENTRY_OVERHEAD
  end
  -- unpack() is limited by Lua's C stack: a bucket's HSET goes in chunks
  for _, b in ipairs(order) do
    local args = byBucket[b]
    for i = 1, #args, 4000 do redis.call('HSET', prefix .. ':' .. b, unpack(args, i, math.min(i + 3999, #args))) end
  end
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
  local budget = tonumber(ARGV[6])
  -- Past the budget by the estimate: the generation's real bytes (MEMORY USAGE of each bucket of
  -- both kinds: exact for a listpack, sampled for a bucket that became a hash table) replace the
  -- estimate. Below 90 % of the budget it stays open, and the next estimate starts from there.
  -- A measure costs ~1 µs per bucket; it runs about ten times per generation.
  if bytes >= budget then
    local real = 0
    for b = 0, tonumber(ARGV[9]) - 1 do
      local m = redis.call('MEMORY', 'USAGE', KEYS[4] .. ':' .. b)
      if m then real = real + m end
      m = redis.call('MEMORY', 'USAGE', KEYS[5] .. ':' .. b)
      if m then real = real + m end
    end
    if real < budget * 0.9 then
      redis.call('HSET', KEYS[3], 'bytes', real)
      bytes = real
    end
  end
  -- Closed by budget or by time: later commits write the next generation.
  if bytes >= budget or now - start >= tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[3], 'n', gen + 1, 'start', now, 'bytes', 0)
  end
end
redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[3], 'EX', tonumber(ARGV[4]))
return 'ok'
