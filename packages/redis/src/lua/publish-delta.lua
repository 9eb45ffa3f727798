-- publish-delta.lua: give a committed batch's change for one workspace the workspace's
-- next seq, keep it for catch-up, and append it to the live stream every gateway reads.
--
-- Idempotent per (batch, workspace): a retried batch publishes nothing twice, so a
-- dashboard applying every delta never counts a change twice.
--
-- KEYS[1]  marker: this batch's delta for this workspace was published (holds its seq)
-- KEYS[2]  the workspace's seq counter
-- KEYS[3]  the workspace's recent deltas (stream, entry id = <seq>-1)
-- KEYS[4]  the live stream of all workspaces (read by every gateway node)
-- ARGV[1]  workspace id
-- ARGV[2]  delta JSON without seq
-- ARGV[3]  deltas kept per workspace for catch-up
-- ARGV[4]  entries kept in the live stream
-- ARGV[5]  seconds the marker lives
-- Returns the seq.
local done = redis.call('GET', KEYS[1])
if done then return tonumber(done) end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], seq .. '-1', 'd', ARGV[2])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'ws', ARGV[1], 'seq', seq, 'd', ARGV[2])
redis.call('SET', KEYS[1], seq, 'EX', tonumber(ARGV[5]))
return seq
