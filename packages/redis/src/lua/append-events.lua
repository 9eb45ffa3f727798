-- append-events.lua: append requests' accepted events, each request's part of a partition as
-- one entry of the partition's stream, in one round trip for all the requests of a group:
-- per request, backpressure (the stream's backlog by length and by the age of its oldest
-- entry), then XADD. Requests are taken in order; one refused does not affect the others.
-- Rate limits are checked before (admit-requests.lua): they count requests, not partitions.
--
-- KEYS: any
-- KEYS     the partition streams of the group: all in one slot on a cluster (one stream per
--          group there), any on one Redis (one call for every partition then)
-- ARGV[1]  number of appends; then 7 per append: its stream (index into KEYS), workspace id,
--          event count, events JSON, most entries the stream may hold (0 = no cap), oldest
--          entry age allowed in ms (0 = no cap), W3C traceparent ('' = none: tracing off)
-- Each stream's backlog is checked once per call (a request spans up to one append per
-- partition, and a call carries many requests): a cap can be passed by one call's appends.
-- Returns per request { 'ok', id } or { 'overloaded', retry-after seconds }.
local function full(stream, max_len, max_age)
  if max_len > 0 and redis.call('XLEN', stream) >= max_len then return true end
  if max_age > 0 then
    local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    if first then
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if now - tonumber(string.match(first[1], '^(%d+)')) > max_age then return true end
    end
  end
  return false
end

local out = {}
local verdict = {}
for i = 1, tonumber(ARGV[1]) do
  local a = 2 + (i - 1) * 7
  local stream = KEYS[tonumber(ARGV[a])]
  if verdict[stream] == nil then verdict[stream] = full(stream, tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])) end
  if verdict[stream] then
    out[i] = { 'overloaded', 5 }
  else
    if ARGV[a + 6] == '' then
      out[i] = { 'ok', redis.call('XADD', stream, '*', 'ws', ARGV[a + 1], 'n', ARGV[a + 2], 'ev', ARGV[a + 3]) }
    else
      out[i] = { 'ok', redis.call('XADD', stream, '*', 'ws', ARGV[a + 1], 'n', ARGV[a + 2], 'ev', ARGV[a + 3], 'tp', ARGV[a + 6]) }
    end
  end
end
return out
