#!lua flags=no-writes
-- Runs read commands against this Redis and returns Redis' reply to each as RESP2 bytes (an array,
-- one per command: many reads share one script call). Keys whose deadline has passed by the reading
-- node's clock (ARGV[1]) are read as absent: the log deletes them at a later position, but a key is
-- never visible after its deadline.
-- A Redis holding less than the node applied (it lost data) answers an error instead of stale data.
-- A key locked by a prepared transaction across groups (apply.lua) is not read: its value may still be
-- undone, or be one half of a transaction whose other half is not visible yet. The script then answers
-- REDRAFT-LOCKED and the node reads again shortly. A key of a slot this group does not own (slots.lua)
-- is answered, for its command alone, with the error REDRAFT-MOVED and the group it moved to (or
-- 'incoming'): the node reads it there.
-- ARGV: now-ms, minimum applied-index marker, command count, then per command:
--       key count, argc, key positions (into argv, argv[0] = name), argv...
local APPLIED = '__redraft:applied'
local ABSENT = '__redraft:absent'
local TX_LOCKS = '__redraft:tx-locks'

local now = tonumber(ARGV[1])
local marker = tonumber(redis.call('GET', APPLIED) or '0')
if marker < tonumber(ARGV[2]) then
  return redis.error_reply('REDRAFT-LOST ' .. string.format('%d', marker))
end
local has_deadlines = redis.call('EXISTS', DEADLINES) == 1

local function read_one(argv, positions)
  if has_deadlines then
    for _, position in ipairs(positions) do
      local d = redis.call('ZSCORE', DEADLINES, argv[position])
      if d and tonumber(d) <= now then argv[position] = ABSENT end
    end
  end
  local handled, r = bookkeeping_read(string.upper(argv[1]), argv, now, has_deadlines)
  if handled then return resp(r) end
  return resp(redis.pcall(unpack(argv)))
end

local commands = {}
local p = 4
for c = 1, tonumber(ARGV[3]) do
  local nkeys, argc = tonumber(ARGV[p]), tonumber(ARGV[p + 1])
  p = p + 2
  local positions = {}
  for k = 1, nkeys do positions[k] = tonumber(ARGV[p + k - 1]) + 1 end
  p = p + nkeys
  local argv = {}
  for a = 1, argc do argv[a] = ARGV[p + a - 1] end
  p = p + argc
  commands[c] = { argv = argv, positions = positions }
end
if redis.call('EXISTS', TX_LOCKS) == 1 then
  for _, c in ipairs(commands) do
    for _, position in ipairs(c.positions) do
      if redis.call('HEXISTS', TX_LOCKS, c.argv[position]) == 1 then
        return redis.error_reply('REDRAFT-LOCKED a key of this read is locked by a transaction in progress')
      end
    end
  end
end
local out = {}
local slots_moved_here = redis.call('EXISTS', SLOT_OWNERS) == 1
for c, command in ipairs(commands) do
  local elsewhere = nil
  if slots_moved_here then
    local keys = {}
    for k, position in ipairs(command.positions) do keys[k] = command.argv[position] end
    elsewhere = not_owned({ { keys = keys } })
  end
  if elsewhere then
    -- The slot moved to that group (or is on its way here): the node reads it there (RedisReader).
    out[c] = '-REDRAFT-MOVED ' .. elsewhere .. '\r\n'
  else
    out[c] = read_one(command.argv, command.positions)
  end
end
return out
