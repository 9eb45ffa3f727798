-- release-lock.lua: deletes a lock only if the caller still holds it (its token), so a
-- holder whose lock lapsed never frees the next holder's.
--
-- KEYS: 1
-- KEYS[1]  the lock
-- ARGV[1]  the caller's token
-- Returns 1 when released, 0 when held by another or gone.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
