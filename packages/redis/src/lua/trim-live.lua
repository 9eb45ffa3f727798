-- trim-live.lua: drops live stream entries older than a time when no delta does (traffic
-- stopped), keeping its byte count right: its memory goes with it.
--
-- KEYS: 2
-- KEYS[1]  the live stream (fields ws, seq, d)
-- KEYS[2]  bytes of the live stream's delta bodies
-- ARGV[1]  the oldest entry id to keep ('<ms>-0')
-- Returns how many entries went.
local gone = 0
while true do
  local batch = redis.call('XRANGE', KEYS[1], '-', '(' .. ARGV[1], 'COUNT', 100)
  if #batch == 0 then break end
  for _, entry in ipairs(batch) do
    redis.call('XDEL', KEYS[1], entry[1])
    redis.call('DECRBY', KEYS[2], #entry[2][6])
    gone = gone + 1
  end
end
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
return gone
