-- erase-state.lua: removes erased conversations' state from one partition, atomically with a
-- bump of the partition's state version (state/erase.ts). A batch resolved from the state as it
-- was before then fails its commit's version check (commit-state.lua) and resolves again, so it
-- cannot write the erased state back.
--
-- KEYS: any
-- KEYS[1]      the partition's state version
-- KEYS[2..n]   state hashes (message or conversation states of a generation)
-- ARGV[i]      for KEYS[i + 1]: the fields to delete there, one per line ('' for none)
-- Returns the number of fields deleted.
local deleted = 0
local CHUNK = 4000
for i = 2, #KEYS do
  local fields, n = {}, 0
  for line in string.gmatch(ARGV[i - 1], '[^\n]+') do
    n = n + 1
    fields[n] = line
    if n >= CHUNK then
      deleted = deleted + redis.call('HDEL', KEYS[i], unpack(fields, 1, n))
      n = 0
    end
  end
  if n > 0 then deleted = deleted + redis.call('HDEL', KEYS[i], unpack(fields, 1, n)) end
end
redis.call('INCR', KEYS[1])
return deleted
