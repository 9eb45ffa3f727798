-- append-events.lua: admit requests' accepted events and append each request's as one
-- entry of the ingest stream, in one round trip for all the requests of a group: per
-- request the per-key rate limit, then backpressure (the stream's backlog by length and
-- by the age of its oldest entry), then XADD. Requests are taken in order; one refused
-- does not affect the others.
--
-- KEYS[1]       the ingest stream
-- KEYS[1 + i]   the i-th request's key counter for the current second
-- ARGV[1]       number of requests; then 6 per request:
--               workspace id, event count, events JSON, events per second allowed for the
--               key (0 = no limit), most entries the stream may hold (0 = no cap), oldest
--               entry age allowed in ms (0 = no cap)
-- Returns per request { 'ok', id } or { 'rate_limited' | 'overloaded', retry-after seconds }.
local function admit(rate_key, n, limit, max_len, max_age)
  if limit > 0 then
    local used = redis.call('INCRBY', rate_key, n)
    if used == n then redis.call('PEXPIRE', rate_key, 2000) end
    if used > limit then return { 'rate_limited', 1 } end
  end
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
  local a = 2 + (i - 1) * 6
  local n = tonumber(ARGV[a + 1])
  local refused = admit(KEYS[1 + i], n, tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]))
  out[i] = refused or { 'ok', redis.call('XADD', KEYS[1], '*', 'ws', ARGV[a], 'n', n, 'ev', ARGV[a + 2]) }
end
return out
