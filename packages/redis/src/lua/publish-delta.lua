-- publish-delta.lua: give a committed batch's change for one workspace the workspace's
-- next seq and keep it for catch-up. All three keys are in the workspace's live slot; the
-- caller then appends the delta to the live stream every gateway reads (another slot on a
-- cluster), which is safe to repeat: clients skip a seq they have.
--
-- Idempotent per (batch, workspace): a retried batch gets the same seq and publishes
-- nothing twice, so a dashboard applying every delta never counts a change twice.
--
-- KEYS: 3
-- KEYS[1]  marker: this batch's delta for this workspace was published (holds its seq)
-- KEYS[2]  the workspace's seq counter
-- KEYS[3]  the workspace's recent deltas (stream, entry id = <seq>-1)
-- ARGV[1]  delta JSON without seq
-- ARGV[2]  deltas kept per workspace for catch-up
-- ARGV[3]  seconds the marker lives
-- ARGV[4]  seconds the recent deltas outlive the last one (an idle workspace's go)
-- Returns the seq.
local done = redis.call('GET', KEYS[1])
if done then return tonumber(done) end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], seq .. '-1', 'd', ARGV[1])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))
redis.call('SET', KEYS[1], seq, 'EX', tonumber(ARGV[3]))
return seq
