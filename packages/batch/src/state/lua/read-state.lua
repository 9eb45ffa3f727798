-- read-state.lua: the snapshot one partition's part of a batch is resolved from (state/hot.ts,
-- ADR 0007, ADR 0010), in one round trip. Reads only; commit-state.lua checks it is still
-- current. Every key is in the partition's slot.
--
-- State lives in generations numbered per partition (the generation record KEYS[3]: its
-- number and bytes written). A value is looked up in the current generation, then the previous
-- one; older generations are archived and dropped (archive.ts). A conversation's value holds
-- the ids of its counted events (state/encoding.ts): there is no hash of event ids.
-- A generation's states are spread over BUCKETS small hashes per kind (state/encoding.ts), so
-- Redis keeps each as a listpack: KEYS[4] to KEYS[7] are key prefixes, a bucket's key is
-- "<prefix>:<bucket>" (same slot). Each field list comes as one string of lines
-- "<bucket>\t<field>" (fields as state/encoding.ts writes them: "<ws>:<id token>").
--
-- KEYS: 9
-- KEYS[1]  the batch's cached resolution in this partition: when it exists, it is resolved already
-- KEYS[2]  the partition's state version
-- KEYS[3]  the generation record (hash: n, start, bytes)
-- KEYS[4]  message states' prefix, generation ARGV[1]        KEYS[5]  the same, generation ARGV[1] - 1
-- KEYS[6]  conversation states' prefix, generation ARGV[1]   KEYS[7]  the same, generation ARGV[1] - 1
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

-- lines "<bucket>\t<field>" as two lists
local function lines(text)
  local buckets, fields = {}, {}
  for bucket, field in string.gmatch(text, '([^\t\n]+)\t([^\n]+)') do
    buckets[#buckets + 1] = bucket
    fields[#fields + 1] = field
  end
  return buckets, fields
end

-- Values of fields in their buckets of generation `current`, else of `previous` (key prefixes):
-- one HMGET per bucket and generation.
local function lookup(current, previous, buckets, fields)
  local values = {}
  local function from(prefix, wanted)
    local byBucket, order = {}, {}
    for _, k in ipairs(wanted) do
      local b = buckets[k]
      local list = byBucket[b]
      if not list then
        list = {}
        byBucket[b] = list
        order[#order + 1] = b
      end
      list[#list + 1] = k
    end
    local missing = {}
    for _, b in ipairs(order) do
      local ks = byBucket[b]
      local names = {}
      for i, k in ipairs(ks) do names[i] = fields[k] end
      -- unpack() is limited by Lua's C stack: in chunks
      for i = 1, #names, 4000 do
        local got = redis.call('HMGET', prefix .. ':' .. b, unpack(names, i, math.min(i + 3999, #names)))
        for j = 1, #got do
          local k = ks[i + j - 1]
          if got[j] then values[k] = got[j] else missing[#missing + 1] = k end
        end
      end
    end
    return missing
  end
  local all = {}
  for k = 1, #fields do
    values[k] = false
    all[k] = k
  end
  from(previous, from(current, all))
  return values
end

local mb, mf = lines(ARGV[2])
local msgs = lookup(KEYS[4], KEYS[5], mb, mf)
local cb, cids = lines(ARGV[3])
local asked = {}
for _, c in ipairs(cids) do asked[c] = true end
local extra = {}
for i = 1, #msgs do
  local m = msgs[i]
  if m then
    local bucket, conv = string.match(m, '\t([^\t]*)\t([^\t]*)$')
    if conv and not asked[conv] then
      asked[conv] = true
      extra[#extra + 1] = conv
      cids[#cids + 1] = conv
      cb[#cb + 1] = bucket
    end
  end
end
local convs = lookup(KEYS[6], KEYS[7], cb, cids)

return { false, true, redis.call('GET', KEYS[2]) or false, msgs, table.concat(extra, '\n'), convs, archived or false }
