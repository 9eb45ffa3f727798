-- release-lease.lua: gives a partition lease back, only while this owner holds it.
--
-- KEYS: 1
-- KEYS[1]  the lease
-- ARGV[1]  owner
-- Returns 1 when released, 0 when the lease is not this owner's.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
