-- commit-state.lua: commits one batch's resolution (see apply-batch.ts), atomically, if
-- nothing it was resolved from has changed since it was read.
--
-- The worker reads state with plain HMGETs, resolves dedup and latest-wins in Node, and
-- sends here only what to write. Each workspace's state has a version, bumped by every
-- commit; a commit whose versions (or generations) are stale writes nothing and answers
-- "conflict", and the worker reads and resolves again. So two workers never interleave
-- read-modify-write on the same message, and the resolution is cached under KEYS[1] in
-- the same step as the state it produced (a retried batch gets the same rows back).
--
-- KEYS[1]  result key of this batch
-- ARGV[1]  key prefix
-- ARGV[2]  dedup generation the batch was resolved in
-- ARGV[3]  seconds per dedup generation
-- ARGV[4]  state generation the batch was resolved in
-- ARGV[5]  seconds per state generation
-- ARGV[6]  seconds the cached result lives
-- ARGV[7]  the resolution (JSON), cached under KEYS[1]
-- ARGV[8]  number of workspaces; then 5 per workspace:
--          workspace, expected version ('' = none yet), and as lines: the new event ids;
--          <message id>\t<state> of the messages that changed; <conversation id>\t<state> of
--          the conversations that changed. Ids of messages and conversations are JSON strings
--          (JSON escapes tabs and newlines), states are JSON. Few big arguments instead of one
--          per value: building and parsing tens of thousands of arguments cost the worker more.
-- Returns 'ok', 'conflict', or 'committed' (the batch was committed before).
if redis.call('EXISTS', KEYS[1]) == 1 then return 'committed' end

local p = ARGV[1]
local dedup_gen, dedup_ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local state_gen, state_ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local now = tonumber(redis.call('TIME')[1])
if math.floor(now / dedup_ttl) ~= dedup_gen or math.floor(now / state_ttl) ~= state_gen then
  return 'conflict'
end

-- Every workspace's version must be what the batch was resolved from.
local nws = tonumber(ARGV[8])
for w = 0, nws - 1 do
  local at = 9 + w * 5
  if (redis.call('GET', p .. ':ver:' .. ARGV[at]) or '') ~= ARGV[at + 1] then return 'conflict' end
end

-- unpack() is limited by Lua's C stack: HSET goes in chunks
local CHUNK = 4000
-- lines "field\tvalue" (or just "field", stored with the value '1') into a hash
local function store(key, text, expire_at)
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
  redis.call('EXPIREAT', key, expire_at)
end

for w = 0, nws - 1 do
  local at = 9 + w * 5
  local ws = ARGV[at]
  store(p .. ':dedup:' .. ws .. ':' .. dedup_gen, ARGV[at + 2], (dedup_gen + 2) * dedup_ttl)
  store(p .. ':msgs:' .. ws .. ':' .. state_gen, ARGV[at + 3], (state_gen + 2) * state_ttl)
  store(p .. ':convs:' .. ws .. ':' .. state_gen, ARGV[at + 4], (state_gen + 2) * state_ttl)
  local ver = p .. ':ver:' .. ws
  redis.call('INCR', ver)
  redis.call('EXPIRE', ver, 2 * state_ttl)
end

redis.call('SET', KEYS[1], ARGV[7], 'EX', tonumber(ARGV[6]))
return 'ok'
