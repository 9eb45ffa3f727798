-- update-delivery.lua: replaces a delivery record only if it is still kept (a record the
-- cap dropped meanwhile is not brought back).
--
-- KEYS: 1
-- KEYS[1]  the workspace's delivery records (hash: id -> JSON)
-- ARGV[1]  delivery id
-- ARGV[2]  record JSON
-- Returns 1 when replaced, 0 when the record is gone.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
