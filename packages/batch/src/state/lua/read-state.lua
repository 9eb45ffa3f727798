-- read-state.lua: the snapshot one partition's part of a batch is resolved from (state/hot.ts,
-- ADR 0007, ADR 0010), in one round trip. Reads only; commit-state.lua checks it is still
-- current. Every key is in the partition's slot.
--
-- State lives in generations numbered per partition (the generation record KEYS[3]: its
-- number and bytes written). A value is looked up in the current generation, then the previous
-- one; older generations are archived and dropped (archive.ts). A conversation's value holds
-- the ids of its counted events (state/encoding.ts): there is no hash of event ids.
-- Each field list comes as one string of lines (state/encoding.ts: "<ws>:<message id as JSON>",
-- "<ws>:<conversation id as JSON>").
--
-- KEYS: 9
-- KEYS[1]  the batch's cached resolution in this partition: when it exists, it is resolved already
-- KEYS[2]  the partition's state version
-- KEYS[3]  the generation record (hash: n, start, bytes)
-- KEYS[4]  message states, generation ARGV[1]        KEYS[5]  the same, generation ARGV[1] - 1
-- KEYS[6]  conversation states, generation ARGV[1]   KEYS[7]  the same, generation ARGV[1] - 1
-- KEYS[8]  generations still in Redis (sorted set)    KEYS[9]  greatest generation archived
-- ARGV[1]  generation the keys were built for
-- ARGV[2]  message fields   ARGV[3]  conversation fields
-- Returns { cached resolution } when resolved already;
-- { false, 'archive', generation } when a generation older than the previous one is still in
-- Redis and not archived (it would be invisible to both tiers): it must be archived first;
-- { false, false, current generation } when the keys were built for another generation;
-- else { false, true, version or false,
--        { state or false, per message field },
--        the conversation fields of those messages' current conversations that were not
--        asked for (a thumb moving out of one retracts there), as lines,
--        { state or false, per conversation field asked for, then per field above },
--        the greatest generation archived, or false when nothing ever was }.
local cached = redis.call('GET', KEYS[1])
if cached then return { cached } end

local gen = tonumber(redis.call('HGET', KEYS[3], 'n') or '0')
if gen ~= tonumber(ARGV[1]) then return { false, false, gen } end

local archived = redis.call('GET', KEYS[9])
local old = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', gen - 2, 'LIMIT', 0, 1)[1]
if old and tonumber(old) > tonumber(archived or '-1') then return { false, 'archive', old } end

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

local msgs = lookup(KEYS[4], KEYS[5], lines(ARGV[2]))
local cids = lines(ARGV[3])
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
local convs = lookup(KEYS[6], KEYS[7], cids)

return { false, true, redis.call('GET', KEYS[2]) or false, msgs, table.concat(extra, '\n'), convs, archived or false }
