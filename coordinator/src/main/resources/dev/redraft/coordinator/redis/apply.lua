-- Applies a batch of committed log entries to this Redis, in log order, in one atomic step together
-- with the applied-index marker and the client sessions (see RedisApplier.encode for the ARGV layout).
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
-- LuaScript puts the parts in front of this file: the commands (apply-commands.lua: each command runs
-- through run_command, which keeps the deadlines right), slot ownership (slots.lua), the sessions
-- (sessions.lua), transactions across groups (transactions.lua) and slot-move steps (slot-steps.lua).
local APPLIED = '__redraft:applied'
local CLOCK = '__redraft:clock'

local OUT_APPLIED, OUT_DUPLICATE, OUT_SUPERSEDED, OUT_ALREADY_APPLIED = 0, 1, 2, 3
local OUT_MISMATCHED, OUT_SESSION_UNKNOWN, OUT_SESSIONS_FULL, OUT_TX_REFUSED = 4, 5, 6, 7
local OUT_MOVED = 8

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
  if has_deadlines then
    sweep(now)
    for _, c in ipairs(commands) do
      for _, key in ipairs(c.keys) do expire_if_due(key, now) end
    end
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

-- The numbers of the arguments, converted once per distinct text: an entry's writes share their index, logical
-- time and session limits, and most counts and key positions repeat (tonumber parses every time).
local numbers = {}
local function number(text)
  local n = numbers[text]
  if n == nil then
    n = tonumber(text)
    numbers[text] = n
  end
  return n
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
  local index, client, seq, now = number(ARGV[p]), ARGV[p + 1], tonumber(ARGV[p + 2]), number(ARGV[p + 3])
  local fingerprint, idle_ms, max_sessions = ARGV[p + 4], number(ARGV[p + 5]), number(ARGV[p + 6])
  -- '0': old rules; '1': opening-stamp rules; '2': those, and a stamped client's session may open at
  -- any sequence (a sharded cluster: a client's sequence runs over every group, so its first write to
  -- this group may carry any; safe by the stamp alone, see opened_before_a_drop).
  local opening_stamps = ARGV[p + 7] ~= '0'
  local open_at_any_sequence = ARGV[p + 7] == '2'
  local tx_phase, tx_id, tx_home = number(ARGV[p + 8]), ARGV[p + 9], ARGV[p + 10]
  -- Decisions and outcomes are kept twice the session idle time: a client's retry (the same session
  -- write, so the same transaction id) within its session's window finds them.
  local tx_retention = math.max(2 * idle_ms, 600000)
  local ncommands = number(ARGV[p + 11])
  p = p + 12
  local commands = {}
  for c = 1, ncommands do
    local argc, nkeys = number(ARGV[p]), number(ARGV[p + 1])
    local first = p + 2 + nkeys -- the command's argv[1]; before it, its keys' positions in argv (0-based)
    local argv, keys = {}, {}
    for a = 1, argc do argv[a] = ARGV[first + a - 1] end
    for k = 1, nkeys do keys[k] = argv[number(ARGV[p + 1 + k]) + 1] end
    p = first + argc
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
