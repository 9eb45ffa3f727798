-- archive-filter.lua: adds fields to a partition's Bloom filter of archived state, or checks
-- them (state/archive-filter.ts). Each field comes as its two hashes; its probes are bits
-- (h1 + i * h2) mod size, i = 0 .. k - 1 (exact in Lua's doubles: both hashes are below 2^32).
-- A check stops at a field's first unset bit: most fields asked were never archived, and the
-- first probe usually says so.
--
-- KEYS: 1
-- KEYS[1]  the filter (a bitmap)
-- ARGV[1]  'add' or 'check'
-- ARGV[2]  the filter's size in bits   ARGV[3]  probes per field (k)
-- ARGV[4]  as lines: "<h1> <h2>" per field
-- Returns nothing for 'add'; for 'check', one character per field: '1' may be archived, '0' never was.
local size, k = tonumber(ARGV[2]), tonumber(ARGV[3])
local add = ARGV[1] == 'add'
local out = {}
for a, b in string.gmatch(ARGV[4], '(%d+) (%d+)') do
  local h1, h2 = tonumber(a), tonumber(b)
  local hit = '1'
  for i = 0, k - 1 do
    local bit = (h1 + i * h2) % size
    if add then
      redis.call('SETBIT', KEYS[1], bit, 1)
    elseif redis.call('GETBIT', KEYS[1], bit) == 0 then
      hit = '0'
      break
    end
  end
  out[#out + 1] = hit
end
if add then return nil end
return table.concat(out)
