-- apply-batch.lua: dedup by event_id, latest-wins state, and the signed aggregate
-- changes of one batch, atomically.
--
-- Why in one script: the previous thumb/CSAT must be known to retract it, and two
-- workers must not interleave read-modify-write on the same message. The answer is
-- cached under KEYS[1], so a retried batch gets exactly the same rows back (and
-- ClickHouse deduplicates their insert by token) instead of being resolved again.
--
-- KEYS[1]  result key of this batch
-- ARGV[1]  key prefix
-- ARGV[2]  JSON array of items { w = workspace, r = receive order, e = event }
--          e = { event_id, type, ts (epoch ms), conversation_id, message_id?, thumb?, score?, reason? }
-- ARGV[3]  seconds an event_id is remembered (dedup window)
-- ARGV[4]  seconds message/conversation state lives after its last change
-- ARGV[5]  seconds the cached result lives
-- Returns JSON { fresh = [0-based indexes of first-seen events], changes = [...], conversations = [...] }
local cached = redis.call('GET', KEYS[1])
if cached then return cached end

local p = ARGV[1]
local items = cjson.decode(ARGV[2])
local seen_ttl, state_ttl, result_ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

local fresh, changes = {}, {}
local convs, conv_order = {}, {}

local function num(s)
  return string.format('%.0f', s)
end

local function bucket(ts)
  return math.floor(ts / 900000) * 900
end

-- latest wins: greater ts, or equal ts and received later
local function newer(ts, recv, cur_ts, cur_recv)
  if cur_ts == nil then return true end
  if ts ~= cur_ts then return ts > cur_ts end
  return recv > cur_recv
end

local function conv(ws, cid)
  local key = p .. ':conv:' .. ws .. ':' .. cid
  local c = convs[key]
  if c then return c end
  local h = redis.call('HMGET', key, 'started', 'up', 'down', 'score', 'reason', 'cts', 'crecv', 'v')
  c = {
    key = key, ws = ws, cid = cid,
    started = tonumber(h[1]), up = tonumber(h[2]) or 0, down = tonumber(h[3]) or 0,
    score = tonumber(h[4]), reason = h[5] or '', cts = tonumber(h[6]), crecv = h[7] or '',
    v = tonumber(h[8]) or 0, dirty = false,
  }
  convs[key] = c
  conv_order[#conv_order + 1] = c
  return c
end

local function change(ws, ts, cid, mid, eid, up, down, csum, ccount)
  changes[#changes + 1] = {
    workspace_id = ws, bucket = bucket(ts), conversation_id = cid, message_id = mid, event_id = eid,
    thumbs_up = up, thumbs_down = down, csat_sum = csum, csat_count = ccount,
  }
end

for i, it in ipairs(items) do
  local ws, e, recv = it.w, it.e, it.r
  if redis.call('SET', p .. ':seen:' .. ws .. ':' .. e.event_id, '1', 'NX', 'EX', seen_ttl) then
    fresh[#fresh + 1] = i - 1
    local c = conv(ws, e.conversation_id)
    if c.started == nil or e.ts < c.started then
      c.started = e.ts
      c.dirty = true
    end

    if e.type == 'message.feedback' then
      local mk = p .. ':msg:' .. ws .. ':' .. e.message_id
      local m = redis.call('HMGET', mk, 'thumb', 'ts', 'recv', 'conv')
      local cur_ts = tonumber(m[2])
      if newer(e.ts, recv, cur_ts, m[3]) then
        local old = m[1]
        if old == 'up' or old == 'down' then
          local oc = conv(ws, m[4])
          if old == 'up' then
            change(ws, cur_ts, m[4], e.message_id, e.event_id, -1, 0, 0, 0)
            oc.up = oc.up - 1
          else
            change(ws, cur_ts, m[4], e.message_id, e.event_id, 0, -1, 0, 0)
            oc.down = oc.down - 1
          end
          oc.dirty = true
        end
        if e.thumb == 'up' then
          change(ws, e.ts, e.conversation_id, e.message_id, e.event_id, 1, 0, 0, 0)
          c.up = c.up + 1
          c.dirty = true
        elseif e.thumb == 'down' then
          change(ws, e.ts, e.conversation_id, e.message_id, e.event_id, 0, 1, 0, 0)
          c.down = c.down + 1
          c.dirty = true
        end
        redis.call('HSET', mk, 'thumb', e.thumb, 'ts', num(e.ts), 'recv', recv, 'conv', e.conversation_id)
        redis.call('EXPIRE', mk, state_ttl)
      end
    elseif e.type == 'conversation.csat' then
      if newer(e.ts, recv, c.cts, c.crecv) then
        if c.score ~= nil then
          change(ws, c.cts, c.cid, '', e.event_id, 0, 0, -c.score, -1)
        end
        change(ws, e.ts, c.cid, '', e.event_id, 0, 0, e.score, 1)
        c.score, c.reason, c.cts, c.crecv, c.dirty = e.score, e.reason or '', e.ts, recv, true
      end
    end
  end
end

local summaries = {}
for _, c in ipairs(conv_order) do
  if c.dirty then
    c.v = c.v + 1
    local fields = { 'started', num(c.started), 'up', c.up, 'down', c.down, 'v', c.v }
    if c.score ~= nil then
      for _, f in ipairs({ 'score', c.score, 'reason', c.reason, 'cts', num(c.cts), 'crecv', c.crecv }) do
        fields[#fields + 1] = f
      end
    end
    redis.call('HSET', c.key, unpack(fields))
    redis.call('EXPIRE', c.key, state_ttl)
    summaries[#summaries + 1] = {
      workspace_id = c.ws, conversation_id = c.cid, started = c.started, score = c.score,
      reason = c.reason, rated = c.cts, thumbs_up = c.up, thumbs_down = c.down, version = c.v,
    }
  end
end

local result = cjson.encode({ fresh = fresh, changes = changes, conversations = summaries })
redis.call('SET', KEYS[1], result, 'EX', result_ttl)
return result
