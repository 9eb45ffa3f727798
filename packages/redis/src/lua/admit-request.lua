-- admit-request.lua: a request's rate limits, before any of its events is appended: its
-- key's events per second, then (public keys) its client address's. Counted only when
-- admitted by the one before; both counters share the key's hash slot.
--
-- KEYS: 2
-- KEYS[1]  the key's counter for the current second
-- KEYS[2]  the client's counter for the current second (unused when ARGV[3] is 0)
-- ARGV[1]  events in the request   ARGV[2]  the key's limit (0 = none)
-- ARGV[3]  the client's limit (0 = none)
-- Returns 'ok', 'client_rate_limited' or 'rate_limited'.
local function within(counter, n, limit)
  if limit <= 0 then return true end
  local used = redis.call('INCRBY', counter, n)
  if used == n then redis.call('PEXPIRE', counter, 2000) end
  return used <= limit
end

local n = tonumber(ARGV[1])
-- The client first: a visitor over its own limit does not spend the store's budget.
if not within(KEYS[2], n, tonumber(ARGV[3])) then return 'client_rate_limited' end
if not within(KEYS[1], n, tonumber(ARGV[2])) then return 'rate_limited' end
return 'ok'
