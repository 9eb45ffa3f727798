-- append-events.lua: append requests' accepted events of one partition, each request's as
-- one entry of the partition's stream, in one round trip for all the requests of a group:
-- per request, backpressure (the stream's backlog by length and by the age of its oldest
-- entry), then XADD. Requests are taken in order; one refused does not affect the others.
-- Rate limits are checked before (admit-request.lua): they count requests, not partitions.
--
-- KEYS[1]  the partition's ingest stream
-- ARGV[1]  number of requests; then 5 per request: workspace id, event count, events JSON,
--          most entries the stream may hold (0 = no cap), oldest entry age allowed in ms
--          (0 = no cap)
-- Returns per request { 'ok', id } or { 'overloaded', retry-after seconds }.
local function full(max_len, max_age)
  if max_len > 0 and redis.call('XLEN', KEYS[1]) >= max_len then return true end
  if max_age > 0 then
    local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
    if first then
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if now - tonumber(string.match(first[1], '^(%d+)')) > max_age then return true end
    end
  end
  return false
end

local out = {}
for i = 1, tonumber(ARGV[1]) do
  local a = 2 + (i - 1) * 5
  if full(tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])) then
    out[i] = { 'overloaded', 5 }
  else
    out[i] = { 'ok', redis.call('XADD', KEYS[1], '*', 'ws', ARGV[a], 'n', ARGV[a + 1], 'ev', ARGV[a + 2]) }
  end
end
return out
