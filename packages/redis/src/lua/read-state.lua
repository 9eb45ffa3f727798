-- read-state.lua: the snapshot one partition's part of a batch is resolved from (see
-- apply-batch.ts, ADR 0007 and ADR 0009), in one round trip. Reads only; the commit
-- (commit-state.lua) checks it is still current. Every key is in the partition's slot.
--
-- Each field list comes as one string of lines (fields as stored: "<ws>:<event id>",
-- "<ws>:<message id as JSON>", "<ws>:<conversation id as JSON>"), so the worker builds one
-- argument per list instead of one per id. A value is looked up in the current generation,
-- then the previous one.
--
-- KEYS: 10
-- KEYS[1]  the batch's cached resolution in this partition: when it exists, it is resolved already
-- KEYS[2]  the partition's state version
-- KEYS[3]  event ids seen, generation ARGV[1]        KEYS[4]  the same, generation ARGV[1] - 1
-- KEYS[5]  message states, generation ARGV[3]       KEYS[6]  the same, generation ARGV[3] - 1
-- KEYS[7]  conversation states, generation ARGV[3]  KEYS[8]  the same, generation ARGV[3] - 1
-- KEYS[9]  state generations still in Redis (sorted set)   KEYS[10] greatest generation archived
-- ARGV[1]  dedup generation the keys were built for  ARGV[2]  seconds per dedup generation
-- ARGV[3]  state generation the keys were built for  ARGV[4]  seconds per state generation
-- ARGV[5]  event id fields   ARGV[6]  message fields   ARGV[7]  conversation fields
-- ARGV[8]  '1' when a cold tier holds what left Redis (ADR 0010): then a generation older
--          than the previous one that is still in Redis and not archived must be archived
--          before anything is read (it would be invisible to both tiers)
-- Returns { cached resolution } when resolved already;
-- { false, 'archive', generation } when that generation must be archived first;
-- { false, false, dedup generation, state generation } when Redis's clock is in other
-- generations than the keys (the worker builds the keys again);
-- else { false, true, version or false,
--        one character per event id field: '1' seen, '0' not,
--        { state or false, per message field },
--        the conversation fields of those messages' current conversations that were not
--        asked for (a thumb moving out of one retracts there), as lines,
--        { state or false, per conversation field asked for, then per field above },
--        the greatest generation archived, or false when nothing ever was }.
-- A message state is "thumb\tts\trecv\tconversation field".
local cached = redis.call('GET', KEYS[1])
if cached then return { cached } end

local now = tonumber(redis.call('TIME')[1])
local dedup_gen, state_gen = math.floor(now / tonumber(ARGV[2])), math.floor(now / tonumber(ARGV[4]))
if dedup_gen ~= tonumber(ARGV[1]) or state_gen ~= tonumber(ARGV[3]) then
  return { false, false, dedup_gen, state_gen }
end

if ARGV[8] == '1' then
  local old = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', state_gen - 2, 'LIMIT', 0, 1)[1]
  if old and tonumber(old) > tonumber(redis.call('GET', KEYS[10]) or '-1') then
    return { false, 'archive', old }
  end
end

local CHUNK = 4000
local function lines(text)
  local out = {}
  for line in string.gmatch(text, '[^\n]+') do out[#out + 1] = line end
  return out
end

-- values of `fields` in `current`, else in `previous`; false when neither (HMGET gives
-- false for a missing field, which also keeps its place in the reply)
local function lookup(current, previous, fields)
  local values = {}
  if #fields == 0 then return values end
  local missing, at = {}, {}
  for i = 1, #fields, CHUNK do
    local got = redis.call('HMGET', current, unpack(fields, i, math.min(i + CHUNK - 1, #fields)))
    for j = 1, #got do
      local k = i + j - 1
      values[k] = got[j]
      if not got[j] then
        missing[#missing + 1] = fields[k]
        at[#at + 1] = k
      end
    end
  end
  for i = 1, #missing, CHUNK do
    local got = redis.call('HMGET', previous, unpack(missing, i, math.min(i + CHUNK - 1, #missing)))
    for j = 1, #got do values[at[i + j - 1]] = got[j] end
  end
  return values
end

local ids = lines(ARGV[5])
local known = lookup(KEYS[3], KEYS[4], ids)
local flags = {}
for i = 1, #ids do flags[i] = known[i] and '1' or '0' end

local msgs = lookup(KEYS[5], KEYS[6], lines(ARGV[6]))
local cids = lines(ARGV[7])
local asked = {}
for _, c in ipairs(cids) do asked[c] = true end
local extra = {}
for i = 1, #msgs do
  local m = msgs[i]
  if m then
    local conv = string.match(m, '\t([^\t]*)$')
    if conv and not asked[conv] then
      asked[conv] = true
      extra[#extra + 1] = conv
      cids[#cids + 1] = conv
    end
  end
end
local convs = lookup(KEYS[7], KEYS[8], cids)

return { false, true, redis.call('GET', KEYS[2]) or false, table.concat(flags), msgs, table.concat(extra, '\n'), convs,
  redis.call('GET', KEYS[10]) or false }
