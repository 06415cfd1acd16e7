-- Applies a batch of committed log entries to this Redis, in log order, in one atomic step together
-- with the applied-index marker and the client sessions (see ApplyScript.java for the ARGV layout).
--
-- Invariants kept here:
--  * an entry at or below the applied-index marker is never applied again (Ratis replays the log);
--  * a session's write is applied once: an equal sequence returns the stored reply, a lower one is
--    refused as superseded;
--  * sessions are bounded (entries that carry session limits; older entries keep the old rules): a
--    session idle for the entry's idle timeout (by logical time) is dropped, and a new session beyond
--    the entry's cap evicts the least recently used one (ties: the lowest client id), never one used
--    within the eviction grace. A sequence above 1 without a session is refused as session-unknown
--    (its session may have been dropped: applying it could apply a write twice); so is, in entries
--    with the opening-stamp rules, a sequence 1 whose client id's opening stamp is at or below the
--    highest stamp of any dropped session (see session_opened_at: it may be the retry of a first
--    write whose session is gone). A retry of the stored sequence with other commands (another
--    fingerprint) is refused as mismatched. Every choice
--    depends only on Redis and the entry, so every replica keeps the same sessions;
--  * deadlines live in a sorted set, not as native Redis TTLs, and keys expire at the entry's
--    logical time (fixed by the leader), so every replica expires every key at the same log position;
--  * a failing command of a multi-command entry restores every key the entry touched;
--  * a transaction across groups (two-phase commit, docs/design/sharding.md): a PREPARE runs this
--    group's part, keeps what undoes it and locks every key it touched or watched; until its COMMIT or
--    ABORT, any other write touching a locked key is refused (not applied, its session untouched: the
--    node retries it), and so is a PREPARE whose transaction was already aborted here. The home group's
--    DECIDE records the first decision it sees and answers it, so a coordinator and a recovery can
--    never decide differently. Decisions are kept (by logical time) longer than the sessions whose stored
--    votes a retry could meet: a decision dropped while a second coordinator of the same transaction (a
--    client's retry beside a slow first attempt) still works could let it decide again, otherwise;
--  * a write or read of a key whose slot this group does not own (slots.lua: moved away, or on its way
--    here) is not applied. Moved away: the refusal is the session's answer for that sequence (a retry
--    here gets it again and follows it to the new group, where the write applies once, even after the slot
--    came back here); on its way here: the session untouched, the node sends it again. The steps of a
--    slot move are fenced by the move's id (the log index of its BEGIN in group 0), so a late step of an
--    older move changes nothing.
-- Each command runs through run_command (apply-commands.lua, put in front of this file), which keeps
-- the deadlines right.
local APPLIED = '__redraft:applied'
local SESSIONS = '__redraft:sessions'
local CLOCK = '__redraft:clock'

local SESSION_TIMES = '__redraft:session-times'
-- The highest opening stamp of any session dropped so far (expired or evicted): one number, so the
-- table's bound holds, and a Redis key, so snapshots and verification digests carry it.
local SESSIONS_FORGOTTEN = '__redraft:sessions-forgotten'
local SESSION_SWEEP_LIMIT = 16 -- expired sessions dropped per write, at most
local SESSION_EVICT_LIMIT = 16 -- sessions evicted per new session, at most (more than 1 only after the cap was lowered)
local SESSION_EVICT_GRACE_MS = 60000 -- never evict a session used this recently (or within the idle timeout, if shorter)

local OUT_APPLIED, OUT_DUPLICATE, OUT_SUPERSEDED, OUT_ALREADY_APPLIED = 0, 1, 2, 3
local OUT_MISMATCHED, OUT_SESSION_UNKNOWN, OUT_SESSIONS_FULL, OUT_TX_REFUSED = 4, 5, 6, 7
local OUT_MOVED = 8
-- A session flag: the write was refused because its slot had moved to the group its replies field names.
local FLAG_MOVED = 'm'

-- Transactions across groups: the phases of the log's TxStep.
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

-- Applies one entry's commands; returns (rolled_back, resp of the replies, what undoes them). A leading
-- __WATCH pseudo command (key, digest pairs) is the entry's WATCH condition: if any key's digest
-- changed, nothing runs and the entry reads as rolled back with no replies. undo_prefix (a PREPARE, which
-- may be aborted later): copy every key's old value, even for one command, to undo_prefix..key (a copy,
-- not a DUMP: digests cover Redraft's keys too, and a DUMP's bytes depend on an encoding that replicas
-- may not share, e.g. after a snapshot was loaded).
local function apply_entry(commands, now, undo_prefix)
  if #commands == 0 then
    return false, '*0\r\n' -- a VERIFY entry: it only moves the marker
  end
  sweep(now)
  for _, c in ipairs(commands) do
    for _, key in ipairs(c.keys) do expire_if_due(key, now) end
  end
  if commands[1].argv[1] == '__WATCH' then
    local watch = table.remove(commands, 1)
    for i = 2, #watch.argv, 2 do
      if key_digest(watch.argv[i], now) ~= watch.argv[i + 1] then return true, '*0\r\n' end
    end
  end
  local saved = nil
  if #commands > 1 or undo_prefix then
    saved = {}
    for _, c in ipairs(commands) do
      for _, key in ipairs(c.keys) do
        if saved[key] == nil then
          local s = { deadline = has_deadlines and redis.call('ZSCORE', DEADLINES, key) }
          if undo_prefix then
            s.copied = redis.call('COPY', key, undo_prefix .. key, 'REPLACE') == 1
          else
            s.dump = redis.call('DUMP', key)
          end
          saved[key] = s
        end
      end
    end
  end
  local replies = {}
  for _, c in ipairs(commands) do
    local r, exact = run_command(c.argv, c.keys, now)
    replies[#replies + 1] = exact or resp(r)
    if is_error(r) and saved then
      for key, s in pairs(saved) do
        if s.copied then
          redis.call('RENAME', undo_prefix .. key, key)
        elseif s.dump then
          redis.call('RESTORE', key, 0, s.dump, 'REPLACE')
        else
          redis.call('DEL', key)
        end
        if s.deadline then
          add_deadline(s.deadline, key)
        else
          drop_deadline(key)
        end
      end
      return true, '*' .. #replies .. '\r\n' .. table.concat(replies)
    end
  end
  return false, '*' .. #commands .. '\r\n' .. table.concat(replies), saved
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

local function simple_array(word)
  return '*1\r\n+' .. word .. '\r\n'
end

-- Slot moves (docs/design/sharding.md). Group 0 keeps the map and the moves in progress; every group keeps
-- its own slots' states in SLOT_OWNERS (slots.lua).
local SLOT_STEP = '__SLOTS'                             -- the pseudo command of a SlotStep entry
local SLOT_MOVES = '__redraft:slot-moves'               -- group 0: move id -> 'source target groups slot,slot,...'
local SLOT_MAP = '__redraft:slot-map'                   -- group 0: slot -> group, for every slot that ever moved
local SLOT_MAP_VERSION = '__redraft:slot-map-version'   -- group 0: counts finished moves
local SLOT_BEGIN, SLOT_EXPECT, SLOT_RELEASE, SLOT_IMPORT, SLOT_TAKE, SLOT_DROP, SLOT_FINISH = 1, 2, 3, 4, 5, 6, 7
local SLOT_IMPORT_SESSIONS = 8

local function set_slot_state(slot, state, move)
  redis.call('HSET', SLOT_OWNERS, string.format('%d', slot), state .. ':' .. string.format('%d', move))
  slot_owners_exist = true
end

-- Group 0's owner of a slot: the map's, else the static even split of the slots over the groups.
local function mapped_owner(slot, groups)
  local owner = redis.call('HGET', SLOT_MAP, string.format('%d', slot))
  if owner then return tonumber(owner) end
  return math.floor(slot * groups / SLOT_COUNT)
end

-- One step of a slot move. ARGV of the pseudo command: __SLOTS, phase, move id, source, target, groups,
-- slot count, slots..., then (IMPORT, DROP) key, value, deadline triples. Returns the step's reply.
local function slot_step(index, argv)
  local phase, move, source, target = tonumber(argv[2]), tonumber(argv[3]), tonumber(argv[4]), tonumber(argv[5])
  local groups, nslots = tonumber(argv[6]), tonumber(argv[7])
  local slots = {}
  for i = 1, nslots do slots[i] = tonumber(argv[7 + i]) end
  local first_key = 8 + nslots
  if phase ~= SLOT_BEGIN and phase ~= SLOT_FINISH and groups > 0 then
    -- This group's number (the source of a RELEASE or DROP, the target of the other steps) and the group
    -- count, for the slots without a field (slots.lua).
    local own = (phase == SLOT_RELEASE or phase == SLOT_DROP) and source or target
    redis.call('HSETNX', SLOT_OWNERS, 'group', string.format('%d', own))
    redis.call('HSETNX', SLOT_OWNERS, 'groups', string.format('%d', groups))
    slot_owners_exist = true
  end
  if phase == SLOT_IMPORT_SESSIONS then
    local state, by = slot_state(slots[1])
    if state ~= 'incoming' or by ~= move then return simple_array('OK') end
    for i = first_key, #argv, 3 do
      local client, record, last_use = argv[i], argv[i + 1], tonumber(argv[i + 2])
      if client == '' then
        if tonumber(record) > sessions_forgotten() then
          forgotten = tonumber(record)
          redis.call('SET', SESSIONS_FORGOTTEN, record)
        end
      else
        local seq, flag = string.match(record, '^(%d+):([^:]*):')
        if flag ~= FLAG_MOVED and tonumber(seq) > session_get(client) then
          redis.call('HSET', SESSIONS, client, record)
          redis.call('ZADD', SESSION_TIMES, 'GT', string.format('%d', last_use), client)
          session_count, oldest_lower_bound = nil, nil
        end
      end
    end
    return simple_array('OK')
  elseif phase == SLOT_BEGIN then
    -- The move's id is this entry's index. Refused unless the source owns every slot and no move holds one.
    local wanted = {}
    for _, slot in ipairs(slots) do
      if mapped_owner(slot, groups) ~= source then return simple_array('not-owner') end
      wanted[slot] = true
    end
    local moves = redis.call('HGETALL', SLOT_MOVES)
    for i = 2, #moves, 2 do
      for slot in string.gmatch(string.match(moves[i], '^%d+ %d+ %d+ (.*)$'), '%d+') do
        if wanted[tonumber(slot)] then return simple_array('busy') end
      end
    end
    local record = string.format('%d %d %d ', source, target, groups) .. table.concat(slots, ',')
    redis.call('HSET', SLOT_MOVES, string.format('%d', index), record)
    return simple_array(string.format('%d', index))
  elseif phase == SLOT_FINISH then
    local id = string.format('%d', move)
    if redis.call('HEXISTS', SLOT_MOVES, id) == 1 then
      for _, slot in ipairs(slots) do redis.call('HSET', SLOT_MAP, string.format('%d', slot), string.format('%d', target)) end
      redis.call('HDEL', SLOT_MOVES, id)
      redis.call('INCR', SLOT_MAP_VERSION)
    end
    return simple_array('OK')
  end
  for _, slot in ipairs(slots) do
    local state, by = slot_state(slot)
    if phase == SLOT_EXPECT and by < move then
      set_slot_state(slot, 'incoming', move)
    elseif phase == SLOT_RELEASE and by <= move then
      set_slot_state(slot, string.format('%d', target), move)
    elseif phase == SLOT_TAKE and by == move and state == 'incoming' then
      set_slot_state(slot, 'in', move)
    end
  end
  if phase == SLOT_IMPORT or phase == SLOT_DROP then
    for i = first_key, #argv, 3 do
      local key, value, deadline = argv[i], argv[i + 1], tonumber(argv[i + 2])
      local state, by = slot_state(key_slot(key))
      if phase == SLOT_IMPORT and state == 'incoming' and by == move then
        redis.call('RESTORE', key, 0, value, 'REPLACE')
        if deadline > 0 then add_deadline(deadline, key) else drop_deadline(key) end
      elseif phase == SLOT_DROP and state == string.format('%d', target) and by == move then
        redis.call('DEL', key)
        drop_deadline(key)
      end
    end
  end
  return simple_array('OK')
end

local expected = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local marker = tonumber(redis.call('GET', APPLIED) or '0')
if marker < expected then
  return { 'LOST', marker }
end
-- Entries at or below the marker Redis held when this call began are replays; the writes of one
-- group entry share its index, and all of them are new when it is above that marker.
local replayed_up_to = marker
local clock = tonumber(redis.call('GET', CLOCK) or '0')
local out = { 'OK', marker }
local p = 3
for _ = 1, count do
  local index, client, seq, now = tonumber(ARGV[p]), ARGV[p + 1], tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3])
  local fingerprint, idle_ms, max_sessions = ARGV[p + 4], tonumber(ARGV[p + 5]), tonumber(ARGV[p + 6])
  -- '0': old rules; '1': opening-stamp rules; '2': those, and a stamped client's session may open at
  -- any sequence (a sharded cluster: a client's sequence runs over every group, so its first write to
  -- this group may carry any; safe by the stamp alone, see opened_before_a_drop).
  local opening_stamps = ARGV[p + 7] ~= '0'
  local open_at_any_sequence = ARGV[p + 7] == '2'
  local tx_phase, tx_id, tx_home = tonumber(ARGV[p + 8]), ARGV[p + 9], ARGV[p + 10]
  -- Decisions and outcomes are kept twice the session idle time: a client's retry (the same session
  -- write, so the same transaction id) within its session's window finds them.
  local tx_retention = math.max(2 * idle_ms, 600000)
  local ncommands = tonumber(ARGV[p + 11])
  p = p + 12
  local commands = {}
  for c = 1, ncommands do
    local argc, nkeys = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
    p = p + 2
    local positions = {}
    for k = 1, nkeys do positions[k] = tonumber(ARGV[p + k - 1]) end
    p = p + nkeys
    local argv = {}
    for a = 1, argc do argv[a] = ARGV[p + a - 1] end
    p = p + argc
    local keys = {}
    for k = 1, nkeys do keys[k] = argv[positions[k] + 1] end
    commands[c] = { argv = argv, keys = keys }
  end

  if index <= replayed_up_to then
    -- Replayed after a restart: already in this Redis. Its reply is the session's, if still stored.
    local stored_seq, flag, reply = 0, '0', ''
    if client ~= '' then stored_seq, flag, reply = session_get(client) end
    if client ~= '' and stored_seq == seq and flag == FLAG_MOVED then
      out[#out + 1] = OUT_MOVED; out[#out + 1] = 0; out[#out + 1] = reply
    elseif client ~= '' and stored_seq == seq then
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = tonumber(flag); out[#out + 1] = reply
    else
      out[#out + 1] = OUT_ALREADY_APPLIED; out[#out + 1] = 0; out[#out + 1] = ''
    end
  elseif client ~= '' and max_sessions > 0 then
    recording_stamps = opening_stamps
    marker = index
    if now > clock then clock = now end
    expire_sessions(now, idle_ms)
    local stored_seq, flag, reply, stored_fingerprint = session_get(client)
    if waits_behind_refused(client, seq, now) then
      -- The node sends it again together with the refused one, after it, in order.
      out[#out + 1] = OUT_TX_REFUSED; out[#out + 1] = 0; out[#out + 1] = 'locked'
    elseif stored_seq > 0 and seq == stored_seq then
      if fingerprint ~= '' and stored_fingerprint ~= '' and fingerprint ~= stored_fingerprint then
        out[#out + 1] = OUT_MISMATCHED; out[#out + 1] = 0; out[#out + 1] = ''
      elseif flag == FLAG_MOVED then
        out[#out + 1] = OUT_MOVED; out[#out + 1] = 0; out[#out + 1] = reply
      else
        out[#out + 1] = OUT_DUPLICATE; out[#out + 1] = tonumber(flag); out[#out + 1] = reply
      end
    elseif stored_seq > 0 and seq < stored_seq then
      out[#out + 1] = OUT_SUPERSEDED; out[#out + 1] = 0; out[#out + 1] = ''
    elseif stored_seq == 0 and ((seq > 1 and not (open_at_any_sequence and exact_stamp(client)))
        or (opening_stamps and opened_before_a_drop(client))) then
      out[#out + 1] = OUT_SESSION_UNKNOWN; out[#out + 1] = 0; out[#out + 1] = ''
    elseif tx_phase == TX_PREPARE and redis.call('HGET', TX_OUTCOMES, 'f:' .. tx_id) == 'abort' then
      out[#out + 1] = OUT_TX_REFUSED; out[#out + 1] = 0; out[#out + 1] = 'tx-aborted'
    elseif locked_key(commands, tx_id) then
      if tx_phase ~= TX_PREPARE then
        -- (A PREPARE refused for good aborts its whole batch, and the client's next write is a new one
        -- that must not wait behind it.)
        redis.call('HSET', TX_WAITING, client, string.format('%d:%d', seq, now))
        waiting_exists = true
      end
      out[#out + 1] = OUT_TX_REFUSED; out[#out + 1] = 0; out[#out + 1] = 'locked'
    elseif stored_seq == 0 and not make_room(now, idle_ms, max_sessions) then
      out[#out + 1] = OUT_SESSIONS_FULL; out[#out + 1] = 0; out[#out + 1] = ''
    elseif not_owned(commands) then
      local state = not_owned_state
      if state == 'incoming' then
        out[#out + 1] = OUT_MOVED; out[#out + 1] = 0; out[#out + 1] = ''
      else
        session_put(client, seq, FLAG_MOVED, fingerprint, state, now)
        out[#out + 1] = OUT_MOVED; out[#out + 1] = 0; out[#out + 1] = state
      end
    else
      local preparing = tx_phase == TX_PREPARE
      local lock_keys = preparing and keys_of(commands)
      local rolled_back, replies, saved = apply_entry(commands, now, preparing and undo_prefix_of(tx_id))
      if preparing and not rolled_back then tx_lock(tx_id, tx_home, lock_keys, commands, saved, now) end
      local rb = rolled_back and 1 or 0
      session_put(client, seq, rb, fingerprint, replies, now)
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = rb; out[#out + 1] = replies
    end
  else
    -- Without session limits (Redraft's own entries, and writes logged before limits existed).
    marker = index
    if now > clock then clock = now end
    local stored_seq, flag, reply = 0, '0', ''
    if client ~= '' then stored_seq, flag, reply = session_get(client) end
    if ncommands > 0 and commands[1].argv[1] == SLOT_STEP then
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = 0; out[#out + 1] = slot_step(index, commands[1].argv)
    elseif tx_phase == TX_COMMIT or tx_phase == TX_ABORT then
      tx_finish(tx_id, tx_phase == TX_COMMIT, now, tx_retention)
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = 0; out[#out + 1] = '*0\r\n'
    elseif tx_phase == TX_DECIDE_COMMIT or tx_phase == TX_DECIDE_ABORT then
      local decided = tx_outcome('d:' .. tx_id, tx_phase == TX_DECIDE_COMMIT and 'commit' or 'abort', now, tx_retention)
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = 0; out[#out + 1] = simple_array(decided)
    elseif client ~= '' and seq == stored_seq then
      out[#out + 1] = OUT_DUPLICATE; out[#out + 1] = tonumber(flag); out[#out + 1] = reply
    elseif client ~= '' and seq < stored_seq then
      out[#out + 1] = OUT_SUPERSEDED; out[#out + 1] = 0; out[#out + 1] = ''
    else
      local rolled_back, replies = apply_entry(commands, now)
      local rb = rolled_back and 1 or 0
      if client ~= '' then
        redis.call('HSET', SESSIONS, client, string.format('%d', seq) .. ':' .. rb .. ':' .. replies)
      end
      out[#out + 1] = OUT_APPLIED; out[#out + 1] = rb; out[#out + 1] = replies
    end
  end
end
flush_touches()
redis.call('SET', APPLIED, string.format('%d', marker))
redis.call('SET', CLOCK, string.format('%d', clock))
return out
