-- renew-lease.lua: extends a partition lease, only while this owner holds it (a worker that
-- paused past the ttl and lost its lease to another must not take it back by renewing).
--
-- KEYS: 1
-- KEYS[1]  the lease
-- ARGV[1]  owner   ARGV[2]  ttl in ms
-- Returns 1 when renewed, 0 when the lease is not this owner's.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
