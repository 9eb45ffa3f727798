-- read-state.lua: the snapshot a batch is resolved from (see apply-batch.ts and ADR 0007),
-- in one round trip. Reads only; the commit (commit-state.lua) checks it is still current.
--
-- Each id list comes as one string of lines (fields as stored: event ids as they are,
-- message and conversation ids as JSON), so the worker builds one argument per list
-- instead of one per id. A value is looked up in the current generation, then the
-- previous one.
--
-- KEYS[1]  result key of the batch: when it exists, the batch is resolved already
-- ARGV[1]  key prefix
-- ARGV[2]  seconds per dedup generation     ARGV[3]  seconds per state generation
-- ARGV[4]  number of workspaces; then 4 per workspace:
--          workspace, event ids, message fields, conversation fields
-- Returns { cached resolution } when resolved already, else
-- { false, dedup generation, state generation, one entry per workspace }, an entry being:
--   { version or false,
--     one character per event id: '1' remembered, '0' not,
--     { state or false, per message field },
--     the conversation fields of those messages' current conversations that were not
--     asked for (a thumb moving out of one retracts there), as lines,
--     { state or false, per conversation field asked for, then per field above } }
-- A message state is "thumb\tts\trecv\tconversation field".
local cached = redis.call('GET', KEYS[1])
if cached then return { cached } end

local p = ARGV[1]
local now = tonumber(redis.call('TIME')[1])
local dedup_gen, state_gen = math.floor(now / tonumber(ARGV[2])), math.floor(now / tonumber(ARGV[3]))

local CHUNK = 4000
local function lines(text)
  local out = {}
  for line in string.gmatch(text, '[^\n]+') do out[#out + 1] = line end
  return out
end

-- values of `fields` in the current generation, else the previous one; false when neither
-- (HMGET gives false for a missing field, which also keeps its place in the reply)
local function lookup(kind, ws, gen, fields)
  local values = {}
  if #fields == 0 then return values end
  local current = p .. ':' .. kind .. ':' .. ws .. ':' .. gen
  local previous = p .. ':' .. kind .. ':' .. ws .. ':' .. (gen - 1)
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

local out = { false, dedup_gen, state_gen }
for w = 0, tonumber(ARGV[4]) - 1 do
  local at = 5 + w * 4
  local ws = ARGV[at]
  local version = redis.call('GET', p .. ':ver:' .. ws)

  local ids = lines(ARGV[at + 1])
  local known = lookup('dedup', ws, dedup_gen, ids)
  local flags = {}
  for i = 1, #ids do flags[i] = known[i] and '1' or '0' end

  local msgs = lookup('msgs', ws, state_gen, lines(ARGV[at + 2]))  -- false where none
  local cids = lines(ARGV[at + 3])
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
  local convs = lookup('convs', ws, state_gen, cids)

  out[w + 4] = { version or false, table.concat(flags), msgs, table.concat(extra, '\n'), convs }
end
return out
