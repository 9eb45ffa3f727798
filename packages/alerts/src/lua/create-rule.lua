-- create-rule.lua: saves a new alert rule unless the workspace already has the most it may.
--
-- KEYS: 1
-- KEYS[1]  the workspace's rules (hash: rule id -> rule JSON)
-- ARGV[1]  rule id
-- ARGV[2]  rule JSON
-- ARGV[3]  rules a workspace may have
-- Returns 1 when saved, 0 when the workspace is at its limit.
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
