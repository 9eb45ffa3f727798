-- forget-review.lua: undoes a review change ClickHouse could not store. The key is dropped only
-- while it still holds that change (version `v`): the next change then starts again from what
-- ClickHouse holds. A later change (another writer's) is left alone: it supersedes this one.
--
-- KEYS: 1
-- KEYS[1]  the conversation's review (hash)
-- ARGV[1]  the version of the change to undo
-- Returns 1 when the key was dropped, else 0.
if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
