-- Client sessions of the apply script (LuaScript puts this in front of apply.lua): the exactly-once
-- record of every client's last write, their bounds (idle expiry and a cap, by logical time) and the
-- opening-stamp watermark; see apply.lua's invariants.
local SESSIONS = '__redraft:sessions'
local SESSION_TIMES = '__redraft:session-times'
-- The highest opening stamp of any session dropped so far (expired or evicted): one number, so the
-- table's bound holds, and a Redis key, so snapshots and verification digests carry it.
local SESSIONS_FORGOTTEN = '__redraft:sessions-forgotten'
local SESSION_SWEEP_LIMIT = 16 -- expired sessions dropped per write, at most
local SESSION_EVICT_LIMIT = 16 -- sessions evicted per new session, at most (more than 1 only after the cap was lowered)
local SESSION_EVICT_GRACE_MS = 60000 -- never evict a session used this recently (or within the idle timeout, if shorter)

-- A session flag: the write was refused because its slot had moved to the group its replies field names.
local FLAG_MOVED = 'm'

-- A session is "seq:rolledback:fingerprint:replies", or "seq:rolledback:replies" when written by an
-- entry without session limits (replies always start with '*'). Returns seq, flag, replies, fingerprint.
local function session_get(client)
  local v = redis.call('HGET', SESSIONS, client)
  if not v then return 0, '0', '', '' end
  local a = string.find(v, ':', 1, true)
  local b = string.find(v, ':', a + 1, true)
  if string.sub(v, b + 1, b + 1) == '*' then
    return tonumber(string.sub(v, 1, a - 1)), string.sub(v, a + 1, b - 1), string.sub(v, b + 1), ''
  end
  local c = string.find(v, ':', b + 1, true)
  return tonumber(string.sub(v, 1, a - 1)), string.sub(v, a + 1, b - 1), string.sub(v, c + 1), string.sub(v, b + 1, c - 1)
end

-- Read at most once per call, then kept up to date here: the number of sessions in SESSION_TIMES, and
-- a lower bound of its lowest score (so most writes need no call to find there is nothing to expire).
local session_count = nil
local oldest_lower_bound = nil

-- Last-use times of sessions written by this call, not yet in SESSION_TIMES: one variadic ZADD at
-- the end instead of one per write. Flushed before anything reads SESSION_TIMES, so every decision
-- sees exactly what per-write updates would have left there (and every replica decides alike).
local touched = {}
local touched_order = {}
local TOUCH_CHUNK = 256 -- pairs per ZADD (unpack has a stack limit)

local function flush_touches()
  local n = #touched_order
  if n == 0 then return end
  for from = 1, n, TOUCH_CHUNK do
    local args = {}
    for i = from, math.min(n, from + TOUCH_CHUNK - 1) do
      local client = touched_order[i]
      args[#args + 1] = string.format('%d', touched[client])
      args[#args + 1] = client
    end
    local added = redis.call('ZADD', SESSION_TIMES, unpack(args))
    if session_count then session_count = session_count + added end
  end
  touched = {}
  touched_order = {}
end

local function sessions_oldest()
  if oldest_lower_bound == nil then
    flush_touches()
    local first = redis.call('ZRANGE', SESSION_TIMES, 0, 0, 'WITHSCORES')
    oldest_lower_bound = first[2] and tonumber(first[2]) or math.huge
  end
  return oldest_lower_bound
end

-- A client id ending in '@' and digits was stamped when its session opened (ms, the client's clock):
-- the same stamp on every attempt of every write of that session. Other ids carry none (older clients).
-- Why a stamp and not a session registered by an entry of its own (Raft thesis 6.3): registration costs
-- a log round per session (per CLI call, per RESP connection), and a registration piggybacked on the
-- first write cannot tell that write's late retry from a new session. With stamps, every dropped
-- session's stamp is at most the watermark below, so a first write whose stamp is at or below it may
-- be a retry of a session that is gone; a fresh session's stamp is above it, because a session is only
-- dropped after min(idle timeout, eviction grace) without use. Skewed client clocks can only cause a
-- refusal (outcome unknown), never a second apply.
local function session_opened_at(client)
  local stamp = string.match(client, '@(%d+)$')
  return stamp and tonumber(stamp)
end

-- A stamp that opens a session at any sequence (sharded clusters) must be one the watermark can hold
-- exactly (ms since the epoch have 13 digits; a Lua number is exact below 2^53, and formatted with %d
-- when the session is dropped). The node refuses stamps more than 10 s ahead of its clock anyway.
local function exact_stamp(client)
  local opened = session_opened_at(client)
  return opened ~= nil and opened < 1e15
end

local forgotten = nil -- SESSIONS_FORGOTTEN, read at most once per call
local function sessions_forgotten()
  if forgotten == nil then forgotten = tonumber(redis.call('GET', SESSIONS_FORGOTTEN) or '0') end
  return forgotten
end

-- True if the client id's stamp is at or below the highest stamp of any dropped session: its first
-- write may be the late retry of a session that is gone.
local function opened_before_a_drop(client)
  local opened = session_opened_at(client)
  return opened ~= nil and opened <= sessions_forgotten()
end

-- Whether the write being applied keeps SESSIONS_FORGOTTEN (entries logged before the opening-stamp
-- rules do not: nodes that predate them apply those entries too, and must end with the same data).
local recording_stamps = false

local function forget_sessions(ids)
  if not recording_stamps then return end
  local highest = sessions_forgotten()
  for _, id in ipairs(ids) do
    local opened = session_opened_at(id)
    if opened and opened > highest then highest = opened end
  end
  if highest > forgotten then
    forgotten = highest
    redis.call('SET', SESSIONS_FORGOTTEN, string.format('%d', highest))
  end
end

local function drop_sessions(ids)
  forget_sessions(ids)
  redis.call('HDEL', SESSIONS, unpack(ids))
  redis.call('ZREM', SESSION_TIMES, unpack(ids))
  if session_count then session_count = session_count - #ids end
end

-- Drops up to SESSION_SWEEP_LIMIT sessions last used at or before now - idle_ms.
local function expire_sessions(now, idle_ms)
  local cutoff = now - idle_ms
  if sessions_oldest() > cutoff then return end
  flush_touches()
  local due = redis.call('ZRANGEBYSCORE', SESSION_TIMES, '-inf', string.format('%d', cutoff), 'LIMIT', 0, SESSION_SWEEP_LIMIT)
  if #due > 0 then drop_sessions(due) end
  if #due < SESSION_SWEEP_LIMIT then oldest_lower_bound = cutoff + 1 end
end

-- Makes room for one new session under max by evicting the least recently used (the sorted set's
-- order: lowest score, then lowest client id), but none used within the grace. False if no room.
local function make_room(now, idle_ms, max)
  flush_touches()
  if session_count == nil then session_count = redis.call('ZCARD', SESSION_TIMES) end
  if session_count < max then return true end
  local grace = math.min(idle_ms, SESSION_EVICT_GRACE_MS)
  local lru = redis.call('ZRANGE', SESSION_TIMES, 0, math.min(session_count - max + 1, SESSION_EVICT_LIMIT) - 1, 'WITHSCORES')
  local victims = {}
  for i = 1, #lru, 2 do
    if tonumber(lru[i + 1]) > now - grace then break end
    victims[#victims + 1] = lru[i]
  end
  if #victims > 0 then drop_sessions(victims) end
  return session_count < max
end

local function session_put(client, seq, rb, fingerprint, replies, now)
  redis.call('HSET', SESSIONS, client, string.format('%d', seq) .. ':' .. rb .. ':' .. fingerprint .. ':' .. replies)
  if touched[client] == nil then touched_order[#touched_order + 1] = client end
  touched[client] = now
  if now < sessions_oldest() then oldest_lower_bound = now end
end
