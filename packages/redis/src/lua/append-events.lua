-- append-events.lua: admit a request's accepted events and append them to the ingest
-- stream, in one round trip: the per-key rate limit, then backpressure (the stream's
-- backlog by length and by the age of its oldest entry), then XADD.
--
-- KEYS[1]  the ingest stream
-- KEYS[2]  the key's counter for the current second
-- ARGV[1]  workspace id     ARGV[2] event count     ARGV[3] events JSON
-- ARGV[4]  events per second allowed for the key (0 = no limit)
-- ARGV[5]  most entries the stream may hold (0 = no cap)
-- ARGV[6]  oldest entry age allowed, ms (0 = no cap)
-- Returns { 'ok', id } or { 'rate_limited' | 'overloaded', retry-after seconds }.
local n = tonumber(ARGV[2])
local limit = tonumber(ARGV[4])
if limit > 0 then
  local used = redis.call('INCRBY', KEYS[2], n)
  if used == n then redis.call('PEXPIRE', KEYS[2], 2000) end
  if used > limit then return { 'rate_limited', 1 } end
end
local max_len = tonumber(ARGV[5])
if max_len > 0 and redis.call('XLEN', KEYS[1]) >= max_len then return { 'overloaded', 5 } end
local max_age = tonumber(ARGV[6])
if max_age > 0 then
  local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if first then
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    if now - tonumber(string.match(first[1], '^(%d+)')) > max_age then return { 'overloaded', 5 } end
  end
end
return { 'ok', redis.call('XADD', KEYS[1], '*', 'ws', ARGV[1], 'n', n, 'ev', ARGV[3]) }
