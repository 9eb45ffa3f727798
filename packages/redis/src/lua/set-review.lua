-- set-review.lua: sets or clears a conversation's review if the caller's version is the current
-- one (compare-and-set, CONTRACT §12, ADR 0013). The key holds the current review as a hash
-- (v, outcome, note, reviewer, at); when it is absent (expired, or Redis lost it) the caller's
-- seed, the review ClickHouse holds, is the current one. Every accepted change adds 1 to v;
-- clearing a conversation without a review changes nothing.
--
-- KEYS: 1
-- KEYS[1]  the conversation's review (hash)
-- ARGV[1]  seed: current version from ClickHouse (0 when none)
-- ARGV[2]  seed: outcome ('' when cleared or none)   ARGV[3] seed: note
-- ARGV[4]  seed: reviewer                              ARGV[5] seed: at (RFC 3339)
-- ARGV[6]  expected version, '' to accept any
-- ARGV[7]  new outcome ('' to clear)   ARGV[8] new note   ARGV[9] reviewer   ARGV[10] at (RFC 3339)
-- ARGV[11] seconds the key lives after the change (ClickHouse holds it after that)
-- Returns { status, v, outcome, note, reviewer, at }: status 'ok' (the new review),
-- 'conflict' or 'unchanged' (the current one).
local cur = redis.call('HMGET', KEYS[1], 'v', 'outcome', 'note', 'reviewer', 'at')
if not cur[1] then
  cur = { ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] }
end
local v = tonumber(cur[1])
local function current(status)
  return { status, v, cur[2], cur[3], cur[4], cur[5] }
end
if ARGV[6] ~= '' and tonumber(ARGV[6]) ~= v then return current('conflict') end
if ARGV[7] == '' and cur[2] == '' then return current('unchanged') end
v = v + 1
redis.call('HSET', KEYS[1], 'v', v, 'outcome', ARGV[7], 'note', ARGV[8], 'reviewer', ARGV[9], 'at', ARGV[10])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[11]))
return { 'ok', v, ARGV[7], ARGV[8], ARGV[9], ARGV[10] }
