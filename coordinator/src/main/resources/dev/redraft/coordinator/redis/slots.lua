-- Which slots this group's Redis owns, for apply.lua and read.lua (docs/design/sharding.md, "Online slot
-- moves"). A group learns that a slot left or arrives only from entries of its own log, kept in
-- SLOT_OWNERS: slot -> 'state:move id', the state being 'in' (owned here), 'incoming' (on its way here:
-- not owned yet) or the number of the group it was moved to; the id of the move that set it fences off
-- late steps of older moves. A slot without a field is this group's if the static split of the slots
-- gives it here (fields 'group' and 'groups': this group's number and the group count, kept by its first
-- slot step). No hash at all, as in every group before its first slot step: nothing is checked (the
-- node's router sends each key to its group), and a write costs one EXISTS per script call.
local SLOT_OWNERS = '__redraft:slot-owners'
local SLOT_COUNT = 16384

-- CRC16/XMODEM (polynomial 0x1021), as Redis Cluster hashes keys; the table is built on first use.
local crc16_table = nil
local function crc16(s)
  if not crc16_table then
    crc16_table = {}
    for i = 0, 255 do
      local crc = bit.lshift(i, 8)
      for _ = 1, 8 do
        if bit.band(crc, 0x8000) ~= 0 then
          crc = bit.bxor(bit.lshift(crc, 1), 0x1021)
        else
          crc = bit.lshift(crc, 1)
        end
        crc = bit.band(crc, 0xffff)
      end
      crc16_table[i] = crc
    end
  end
  local crc = 0
  for i = 1, #s do
    local index = bit.bxor(bit.rshift(crc, 8), string.byte(s, i))
    crc = bit.band(bit.bxor(bit.lshift(crc, 8), crc16_table[index]), 0xffff)
  end
  return crc
end

-- The key's slot: of the part between the first '{' and the next '}' when that part is not empty.
local function key_slot(key)
  local open = string.find(key, '{', 1, true)
  if open then
    local close = string.find(key, '}', open + 1, true)
    if close and close > open + 1 then key = string.sub(key, open + 1, close - 1) end
  end
  return crc16(key) % SLOT_COUNT
end

local slot_owners_exist = nil -- EXISTS SLOT_OWNERS, read at most once per call while unchanged

-- A slot's state here and the move that set it: ('in' | 'incoming' | group number, move id), or nil.
local function slot_state(slot)
  local v = redis.call('HGET', SLOT_OWNERS, string.format('%d', slot))
  if not v then return nil, 0 end
  local state, move = string.match(v, '^([^:]+):(%d+)$')
  return state, tonumber(move)
end

-- This group's number and the cluster's group count, kept in SLOT_OWNERS by the first slot step here.
local own_group, group_count = nil, nil

-- nil if the static split of the slots gives this slot to this group; else the group it gives it to.
local function owner_by_split(slot)
  if own_group == nil then
    local v = redis.call('HMGET', SLOT_OWNERS, 'group', 'groups')
    own_group, group_count = tonumber(v[1]) or -1, tonumber(v[2]) or 0
  end
  if group_count == 0 then return nil end
  local owner = math.floor(slot * group_count / SLOT_COUNT)
  if owner == own_group then return nil end
  return string.format('%d', owner)
end

-- nil if every key of these commands ({ keys = {...} } each) is in a slot owned here; else the state of
-- the first one's slot that is not: the group it moved to (or that the static split gives it to), or
-- 'incoming'. (A request's keys may be in several slots of one group, and only some of them moved.)
local not_owned_state = nil -- not_owned's last answer, so a caller that tested it need not ask again

local function not_owned(commands)
  not_owned_state = nil
  if slot_owners_exist == nil then slot_owners_exist = redis.call('EXISTS', SLOT_OWNERS) == 1 end
  if not slot_owners_exist then return nil end
  for _, c in ipairs(commands) do
    for _, key in ipairs(c.keys) do
      local slot = key_slot(key)
      local state = slot_state(slot)
      if state == nil then state = owner_by_split(slot) end
      if state and state ~= 'in' then
        not_owned_state = state
        return state
      end
    end
  end
  return nil
end
