-- admit-requests.lua: the rate limits of requests, before any of their events is appended,
-- in one round trip for all the requests of a turn: per request its key's events per
-- second, then (public keys) its client address's. A request is counted only where the
-- check before admitted it; requests are taken in order.
--
-- KEYS: any
-- KEYS     the counters of the current second the requests name (a key's and its clients'
--          share the key's hash slot; on a cluster one call holds one key's requests)
-- ARGV[1]  number of requests; then 5 per request: its key's counter (index into KEYS),
--          its client's counter (index into KEYS, 0 = none), events in the request, the
--          key's limit (0 = none), the client's limit (0 = none)
-- Returns per request 'ok', 'client_rate_limited' or 'rate_limited'.
local function within(counter, n, limit)
  if limit <= 0 then return true end
  local used = redis.call('INCRBY', counter, n)
  if used == n then redis.call('PEXPIRE', counter, 2000) end
  return used <= limit
end

local out = {}
for i = 1, tonumber(ARGV[1]) do
  local a = 2 + (i - 1) * 5
  local n = tonumber(ARGV[a + 2])
  local client = tonumber(ARGV[a + 1])
  -- The client first: a visitor over its own limit does not spend the store's budget.
  if client > 0 and not within(KEYS[client], n, tonumber(ARGV[a + 4])) then
    out[i] = 'client_rate_limited'
  elseif not within(KEYS[tonumber(ARGV[a])], n, tonumber(ARGV[a + 3])) then
    out[i] = 'rate_limited'
  else
    out[i] = 'ok'
  end
end
return out
