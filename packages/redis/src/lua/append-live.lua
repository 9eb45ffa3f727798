-- append-live.lua: appends a published delta to the live stream every gateway node reads,
-- keeping the stream within its bytes (the oldest entries go first; gateways read it as it
-- grows, and a client that misses a delta catches up from its workspace's recent deltas).
-- A review change (CONTRACT §12) goes the same way as event `review` with seq 0: it is not part
-- of the workspace's delta sequence, and not kept for catch-up.
--
-- KEYS: 2
-- KEYS[1]  the live stream (fields ws, seq, d, e)
-- KEYS[2]  bytes of the live stream's delta bodies
-- ARGV[1]  workspace id   ARGV[2]  seq   ARGV[3]  delta JSON without seq
-- ARGV[4]  most bytes of delta bodies the stream keeps (the newest is always kept)
-- ARGV[5]  the event dashboards get: delta or review
-- Returns the entry id.
local id = redis.call('XADD', KEYS[1], '*', 'ws', ARGV[1], 'seq', ARGV[2], 'd', ARGV[3], 'e', ARGV[5])
local bytes = redis.call('INCRBY', KEYS[2], #ARGV[3])
local max_bytes = tonumber(ARGV[4])
while bytes > max_bytes do
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if not oldest or oldest[1] == id then break end
  redis.call('XDEL', KEYS[1], oldest[1])
  bytes = redis.call('DECRBY', KEYS[2], #oldest[2][6])
end
return id
