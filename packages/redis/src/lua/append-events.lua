-- append-events.lua: admit requests' accepted events and append each request's as one
-- entry of the ingest stream, in one round trip for all the requests of a group: per
-- request the per-key rate limit, the per-client limit (public keys), then backpressure
-- (the stream's backlog by length and by the age of its oldest entry), then XADD. Requests
-- are taken in order; one refused does not affect the others.
--
-- KEYS[1]            the ingest stream
-- KEYS[2i], KEYS[2i+1]  the i-th request's key counter and client counter for the current
--                    second (the client counter is the key counter when no client limit applies)
-- ARGV[1]            number of requests; then 7 per request:
--                    workspace id, event count, events JSON, events per second allowed for the
--                    key (0 = no limit), most entries the stream may hold (0 = no cap), oldest
--                    entry age allowed in ms (0 = no cap), events per second allowed for the
--                    client (0 = no limit)
-- Returns per request { 'ok', id } or { 'rate_limited' | 'client_rate_limited' | 'overloaded',
-- retry-after seconds }.
local function within(counter, n, limit)
  if limit <= 0 then return true end
  local used = redis.call('INCRBY', counter, n)
  if used == n then redis.call('PEXPIRE', counter, 2000) end
  return used <= limit
end

local function admit(i, n, limit, max_len, max_age, client_limit)
  -- The client first: a visitor over its own limit does not spend the store's budget.
  if not within(KEYS[2 * i + 1], n, client_limit) then return { 'client_rate_limited', 1 } end
  if not within(KEYS[2 * i], n, limit) then return { 'rate_limited', 1 } end
  if max_len > 0 and redis.call('XLEN', KEYS[1]) >= max_len then return { 'overloaded', 5 } end
  if max_age > 0 then
    local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
    if first then
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if now - tonumber(string.match(first[1], '^(%d+)')) > max_age then return { 'overloaded', 5 } end
    end
  end
  return nil
end

local out = {}
for i = 1, tonumber(ARGV[1]) do
  local a = 2 + (i - 1) * 7
  local n = tonumber(ARGV[a + 1])
  local refused = admit(i, n, tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6]))
  out[i] = refused or { 'ok', redis.call('XADD', KEYS[1], '*', 'ws', ARGV[a], 'n', n, 'ev', ARGV[a + 2]) }
end
return out
