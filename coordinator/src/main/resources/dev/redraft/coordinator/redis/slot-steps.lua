-- The steps of an online slot move (docs/design/sharding.md), the apply script's side (LuaScript puts this
-- in front of apply.lua). Group 0 keeps the map and the moves in progress; every group keeps its own
-- slots' states in SLOT_OWNERS (slots.lua).
local SLOT_STEP = '__SLOTS'                             -- the pseudo command of a SlotStep entry
local SLOT_MOVES = '__redraft:slot-moves'               -- group 0: move id -> 'source target groups slot,slot,...'
local SLOT_MAP = '__redraft:slot-map'                   -- group 0: slot -> group, for every slot that ever moved
local SLOT_MAP_VERSION = '__redraft:slot-map-version'   -- group 0: counts finished moves
local SLOT_SPLIT = '__redraft:slot-split'               -- group 0: the groups of the static split of the slots
local SLOT_BEGIN, SLOT_EXPECT, SLOT_RELEASE, SLOT_IMPORT, SLOT_TAKE, SLOT_DROP, SLOT_FINISH = 1, 2, 3, 4, 5, 6, 7
local SLOT_IMPORT_SESSIONS, SLOT_RECORD_SPLIT = 8, 9

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
  if phase == SLOT_RECORD_SPLIT then
    redis.call('SETNX', SLOT_SPLIT, string.format('%d', groups))
    return simple_array('OK')
  end
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
    -- Last uses of earlier entries of this script call first (which entries share a call differs between
    -- replicas): the ZADD GT below must see them, or their later flush would undo it on some replicas only.
    flush_touches()
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
    -- Ownership by the split group 0 recorded (RECORD_SPLIT), else by this one's, which it records.
    redis.call('SETNX', SLOT_SPLIT, string.format('%d', groups))
    groups = tonumber(redis.call('GET', SLOT_SPLIT))
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
