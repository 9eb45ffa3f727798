-- archive-filter.lua: adds fields to a partition's filter of archived state, or checks them
-- (state/archive-filter.ts). The filter is a chain of Bloom filters (bitmaps "<KEYS[1]>:<i>"),
-- each twice the size of the one before, so its memory follows what was archived: fields go
-- into the newest, which, once it holds its capacity (a tenth of its bits), is followed by the
-- next one, until the chain reaches its budget (then the newest fills past capacity, and false
-- positives rise). A field is "maybe archived" when all its probes are set in any filter.
-- Probes are bits (h1 + i * h2) mod size, i = 0 .. k - 1 (exact in Lua's doubles: both hashes
-- are below 2^32). A check stops at a filter's first unset bit: most fields asked were never
-- archived, and the first probe usually says so.
--
-- KEYS: 1
-- KEYS[1]  the chain's record (hash: n filters, size_<i> bits, held_<i> fields); its bitmaps
--          are "<KEYS[1]>:<i>" (same slot)
-- ARGV[1]  'add' or 'check'
-- ARGV[2]  probes per field (k)
-- ARGV[3]  as lines: "<h1> <h2>" per field
-- ARGV[4]  'add': bits of the first filter   ARGV[5]  'add': most bits of all filters together
-- Returns nothing for 'add'; for 'check', one character per field: '1' may be archived, '0'
-- never was (and '' per field when there is no filter yet: nothing was archived).
local k = tonumber(ARGV[2])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')

if ARGV[1] == 'check' then
  local sizes = {}
  for i = 1, n do sizes[i] = tonumber(redis.call('HGET', KEYS[1], 'size_' .. i)) end
  local out = {}
  for a, b in string.gmatch(ARGV[3], '(%d+) (%d+)') do
    local h1, h2 = tonumber(a), tonumber(b)
    local hit = '0'
    for f = n, 1, -1 do
      local key, size, all = KEYS[1] .. ':' .. f, sizes[f], true
      for i = 0, k - 1 do
        if redis.call('GETBIT', key, (h1 + i * h2) % size) == 0 then
          all = false
          break
        end
      end
      if all then
        hit = '1'
        break
      end
    end
    out[#out + 1] = hit
  end
  return table.concat(out)
end

local first, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local total = 0
for i = 1, n do total = total + tonumber(redis.call('HGET', KEYS[1], 'size_' .. i)) end
local size, held
local function open(i, bits)
  n, size, held = i, bits, 0
  total = total + bits
  redis.call('HSET', KEYS[1], 'n', n, 'size_' .. n, size, 'held_' .. n, 0)
end
if n == 0 then
  open(1, first)
else
  size = tonumber(redis.call('HGET', KEYS[1], 'size_' .. n))
  held = tonumber(redis.call('HGET', KEYS[1], 'held_' .. n))
end
local key = KEYS[1] .. ':' .. n
for a, b in string.gmatch(ARGV[3], '(%d+) (%d+)') do
  -- Full (a tenth of its bits in fields: 1 % false positives): the next filter, if the budget allows.
  if held >= size / 10 and total + 2 * size <= budget then
    redis.call('HSET', KEYS[1], 'held_' .. n, held)
    open(n + 1, 2 * size)
    key = KEYS[1] .. ':' .. n
  end
  local h1, h2 = tonumber(a), tonumber(b)
  for i = 0, k - 1 do redis.call('SETBIT', key, (h1 + i * h2) % size, 1) end
  held = held + 1
end
redis.call('HSET', KEYS[1], 'held_' .. n, held)
return nil
