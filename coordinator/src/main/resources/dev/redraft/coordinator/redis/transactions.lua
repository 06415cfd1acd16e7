-- Transactions across groups (two-phase commit, docs/design/sharding.md), the apply script's side
-- (LuaScript puts this in front of apply.lua): a PREPARE's locks and undo record, the waits behind a
-- refused write, COMMIT, ABORT and the home group's decisions. The phases of the log's TxStep:
local TX_PREPARE, TX_COMMIT, TX_ABORT, TX_DECIDE_COMMIT, TX_DECIDE_ABORT = 1, 2, 3, 4, 5
local TX_LOCKS = '__redraft:tx-locks'                   -- key -> id of the prepared transaction holding it
local TX_PREPARED = '__redraft:tx-prepared'             -- id -> msgpack { home, lock count, locked keys..., undo triples... }
local TX_PREPARED_TIMES = '__redraft:tx-prepared-times' -- 'home:id' scored by the logical time it was prepared at
local TX_OUTCOMES = '__redraft:tx-outcomes'             -- 'd:'..id -> decision (home group), 'f:'..id -> 'abort' (aborted before its PREPARE came)
local TX_OUTCOME_TIMES = '__redraft:tx-outcome-times'   -- those fields scored by when they were written
local TX_OUTCOME_SWEEP_LIMIT = 16
local TX_UNDO_PREFIX = '__redraft:tx-undo:'             -- ..#id..':'..id..':'..key: a key's value before a PREPARE
local TX_UNDO_COUNT = '__redraft:tx-undo-count'         -- how many such copies exist (DBSIZE does not count them)

local function undo_prefix_of(tx_id)
  return TX_UNDO_PREFIX .. #tx_id .. ':' .. tx_id .. ':'
end

local lock_count = nil -- HLEN of TX_LOCKS, read at most once per call while unchanged
-- A session whose write was refused as locked: its later writes wait behind that one (are refused too)
-- until it is sent again, so a session's writes apply in their order even when the node's retries land
-- in other log entries. Kept in Redis, like everything an apply decides on (which entries share a script
-- call differs between replicas: a first version kept it per call, and replicas diverged). A refused
-- write not sent again within TX_WAIT_MS of log time (the node gives up after LockWait's 2 s) stops
-- holding the others back.
local TX_WAITING = '__redraft:tx-waiting' -- client -> 'seq:logical time' of its refused write
local TX_WAIT_MS = 3000
local waiting_exists = nil -- EXISTS TX_WAITING, read at most once per call while unchanged

-- True if this write must wait behind the session's refused one (seq above it, within TX_WAIT_MS). The
-- refused write itself, sent again, ends the wait (and may be refused again, starting a new one).
local function waits_behind_refused(client, seq, now)
  if waiting_exists == nil then waiting_exists = redis.call('EXISTS', TX_WAITING) == 1 end
  if not waiting_exists then return false end
  local waiting = redis.call('HGET', TX_WAITING, client)
  if not waiting then return false end
  local refused_seq, refused_at = string.match(waiting, '^(%d+):(%d+)$')
  refused_seq, refused_at = tonumber(refused_seq), tonumber(refused_at)
  if seq < refused_seq then return false end -- a late copy of an earlier write: the session decides
  if seq == refused_seq or now - refused_at > TX_WAIT_MS then
    redis.call('HDEL', TX_WAITING, client)
    waiting_exists = nil
    return false
  end
  return true
end

-- The first key of these commands locked by a transaction other than tx_id, or nil.
local function locked_key(commands, tx_id)
  if lock_count == nil then lock_count = redis.call('HLEN', TX_LOCKS) end
  if lock_count == 0 then return nil end
  for _, c in ipairs(commands) do
    for _, key in ipairs(c.keys) do
      local holder = redis.call('HGET', TX_LOCKS, key)
      if holder and holder ~= tx_id then return key end
    end
  end
  return nil
end

-- Records how a transaction ended here ('f:') or what its home decided ('d:'): the first value stays.
-- Returns the value kept. Old records (over the retention, by logical time) are dropped, a few per call.
local function tx_outcome(field, value, now, retention_ms)
  local cutoff = string.format('%d', now - retention_ms)
  local old = redis.call('ZRANGEBYSCORE', TX_OUTCOME_TIMES, '-inf', cutoff, 'LIMIT', 0, TX_OUTCOME_SWEEP_LIMIT)
  if #old > 0 then
    redis.call('HDEL', TX_OUTCOMES, unpack(old))
    redis.call('ZREM', TX_OUTCOME_TIMES, unpack(old))
  end
  local kept = redis.call('HGET', TX_OUTCOMES, field)
  if kept then return kept end
  redis.call('HSET', TX_OUTCOMES, field, value)
  redis.call('ZADD', TX_OUTCOME_TIMES, string.format('%d', now), field)
  return value
end

-- Locks every key of a prepared transaction and records what undoes its writes (which keys had a value,
-- now copied, and their deadlines), in the commands' order.
local function tx_lock(tx_id, home, lock_keys, commands, saved, now)
  local record = { home, #lock_keys }
  for _, key in ipairs(lock_keys) do
    record[#record + 1] = key
    redis.call('HSET', TX_LOCKS, key, tx_id)
  end
  local seen, copies = {}, 0
  for _, c in ipairs(commands) do
    for _, key in ipairs(c.keys) do
      local s = saved and saved[key]
      if s and not seen[key] then
        seen[key] = true
        record[#record + 1] = key
        record[#record + 1] = s.copied
        record[#record + 1] = s.deadline or false
        if s.copied then copies = copies + 1 end
      end
    end
  end
  if copies > 0 then redis.call('INCRBY', TX_UNDO_COUNT, copies) end
  redis.call('HSET', TX_PREPARED, tx_id, cmsgpack.pack(record))
  redis.call('ZADD', TX_PREPARED_TIMES, string.format('%d', now), home .. ':' .. tx_id)
  lock_count = nil
end

-- COMMIT (keep the prepared effects) or ABORT (undo them) of a transaction, and unlock its keys. An ABORT
-- with no prepared record here records it, so a PREPARE applied after it (delayed) is refused.
local function tx_finish(tx_id, commit, now, retention_ms)
  local packed = redis.call('HGET', TX_PREPARED, tx_id)
  if not packed then
    if not commit then tx_outcome('f:' .. tx_id, 'abort', now, retention_ms) end
    return
  end
  local record = cmsgpack.unpack(packed)
  local nlocks = record[2]
  for i = 3, 2 + nlocks do
    if redis.call('HGET', TX_LOCKS, record[i]) == tx_id then redis.call('HDEL', TX_LOCKS, record[i]) end
  end
  local prefix, copies = undo_prefix_of(tx_id), 0
  for i = 3 + nlocks, #record, 3 do
    local key, copied, deadline = record[i], record[i + 1], record[i + 2]
    if copied then copies = copies + 1 end
    if commit then
      if copied then redis.call('DEL', prefix .. key) end
    else
      if copied then redis.call('RENAME', prefix .. key, key) else redis.call('DEL', key) end
      if deadline then add_deadline(deadline, key) else drop_deadline(key) end
    end
  end
  if copies > 0 and redis.call('DECRBY', TX_UNDO_COUNT, copies) <= 0 then redis.call('DEL', TX_UNDO_COUNT) end
  if not commit then
    -- The client's session here still answers a retry with this PREPARE's vote: make it a no, so a retry
    -- can never count this group's undone part as prepared.
    local client, seq = string.match(tx_id, '^(.*)#(%d+)$')
    if client then
      local stored_seq, flag, replies, fingerprint = session_get(client)
      if stored_seq == tonumber(seq) and flag ~= FLAG_MOVED then
        redis.call('HSET', SESSIONS, client, string.format('%d', stored_seq) .. ':1:' .. fingerprint .. ':' .. replies)
      end
    end
  end
  redis.call('HDEL', TX_PREPARED, tx_id)
  redis.call('ZREM', TX_PREPARED_TIMES, record[1] .. ':' .. tx_id)
  lock_count = nil
end

-- The keys a PREPARE locks: every key of its commands and of its WATCH condition, each once, in order.
local function keys_of(commands)
  local out, seen = {}, {}
  for _, c in ipairs(commands) do
    for _, key in ipairs(c.keys) do
      if not seen[key] then
        seen[key] = true
        out[#out + 1] = key
      end
    end
  end
  return out
end
