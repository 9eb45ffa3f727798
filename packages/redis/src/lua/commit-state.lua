-- commit-state.lua: commits one partition's part of a batch's resolution (see
-- apply-batch.ts), atomically, if nothing it was resolved from has changed since it was read.
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
-- KEYS[3]  event ids seen, generation ARGV[1]
-- KEYS[4]  message states, generation ARGV[3]
-- KEYS[5]  conversation states, generation ARGV[3]
-- KEYS[6]  state generations still in Redis (sorted set)
-- ARGV[1]  dedup generation   ARGV[2]  seconds per dedup generation
-- ARGV[3]  state generation   ARGV[4]  seconds per state generation
-- ARGV[5]  seconds the cached resolution lives
-- ARGV[6]  the resolution (JSON), cached under KEYS[1]
-- ARGV[7]  the version the batch was resolved from ('' = none yet)
-- ARGV[11] '1' when a cold tier archives closed generations (ADR 0010): state then stays
--          until archived; else it expires after the next generation
-- ARGV[8]  as lines: the new event id fields; "<message field>\t<state>" of the messages
--          that changed; "<conversation field>\t<state>" of the conversations that changed.
--          ARGV[9] and ARGV[10] hold the last two. Fields are "<ws>:<id>" (message and
--          conversation ids as JSON, which escapes tabs and newlines), states are JSON or
--          tab-separated. Few big arguments instead of one per value: building and parsing
--          tens of thousands of arguments cost the worker more.
-- Returns 'ok', 'conflict', or 'committed' (the batch was committed before).
if redis.call('EXISTS', KEYS[1]) == 1 then return 'committed' end

local dedup_gen, dedup_ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local state_gen, state_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(redis.call('TIME')[1])
if math.floor(now / dedup_ttl) ~= dedup_gen or math.floor(now / state_ttl) ~= state_gen then
  return 'conflict'
end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[7] then return 'conflict' end

-- unpack() is limited by Lua's C stack: HSET goes in chunks
local CHUNK = 4000
-- lines "field\tvalue" (or just "field", stored with the value '1') into a hash
local function store(key, text, expire_at)
  -- expire_at 0: kept until archived
  if text == '' then return end
  local args, n = {}, 0
  for line in string.gmatch(text, '[^\n]+') do
    local tab = string.find(line, '\t', 1, true)
    if tab then
      args[n + 1], args[n + 2] = string.sub(line, 1, tab - 1), string.sub(line, tab + 1)
    else
      args[n + 1], args[n + 2] = line, '1'
    end
    n = n + 2
    if n >= CHUNK then
      redis.call('HSET', key, unpack(args, 1, n))
      n = 0
    end
  end
  if n > 0 then redis.call('HSET', key, unpack(args, 1, n)) end
  -- A generation lives until the end of the next one: an entry lasts at least one ttl.
  if expire_at > 0 then redis.call('EXPIREAT', key, expire_at) end
end

store(KEYS[3], ARGV[8], (dedup_gen + 2) * dedup_ttl)
local state_expire_at = ARGV[11] == '1' and 0 or (state_gen + 2) * state_ttl
store(KEYS[4], ARGV[9], state_expire_at)
store(KEYS[5], ARGV[10], state_expire_at)
if state_expire_at == 0 and (ARGV[9] ~= '' or ARGV[10] ~= '') then
  redis.call('ZADD', KEYS[6], state_gen, state_gen)
end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], 2 * state_ttl)
redis.call('SET', KEYS[1], ARGV[6], 'EX', tonumber(ARGV[5]))
return 'ok'
