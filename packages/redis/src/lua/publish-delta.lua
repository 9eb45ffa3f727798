-- publish-delta.lua: give a committed batch's change for one workspace the workspace's
-- next seq and keep it for catch-up. All four keys are in the workspace's live slot; the
-- caller then appends the delta to the live stream every gateway reads (append-live.lua,
-- another slot on a cluster), which is safe to repeat: clients skip a seq they have.
--
-- Idempotent per (batch, workspace): a retried batch gets the same seq and publishes
-- nothing twice, so a dashboard applying every delta never counts a change twice.
-- The recent deltas are bounded by count and by bytes (a batch of thousands of new
-- conversations makes a delta of a megabyte): past either, the oldest go, and a client
-- that needed them gets a resync instead.
--
-- KEYS: 4
-- KEYS[1]  marker: this batch's delta for this workspace was published (holds its seq)
-- KEYS[2]  the workspace's seq counter
-- KEYS[3]  the workspace's recent deltas (stream, entry id = <seq>-1)
-- KEYS[4]  bytes of the recent deltas' bodies
-- ARGV[1]  delta JSON without seq
-- ARGV[2]  most deltas kept per workspace for catch-up
-- ARGV[3]  seconds the marker lives
-- ARGV[4]  seconds the recent deltas outlive the last one (an idle workspace's go)
-- ARGV[5]  most bytes of deltas kept per workspace (a delta larger than that is not kept)
-- Returns the seq.
local done = redis.call('GET', KEYS[1])
if done then return tonumber(done) end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], seq .. '-1', 'd', ARGV[1])
local bytes = redis.call('INCRBY', KEYS[4], #ARGV[1])
local max_count, max_bytes = tonumber(ARGV[2]), tonumber(ARGV[5])
local count = redis.call('XLEN', KEYS[3])
while count > 0 and (count > max_count or bytes > max_bytes) do
  local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
  redis.call('XDEL', KEYS[3], oldest[1])
  bytes = redis.call('DECRBY', KEYS[4], #oldest[2][2])
  count = count - 1
end
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[4]))
redis.call('SET', KEYS[1], seq, 'EX', tonumber(ARGV[3]))
return seq
