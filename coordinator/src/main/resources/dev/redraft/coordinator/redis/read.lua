#!lua flags=no-writes
-- Runs one read command against this Redis and returns Redis' reply as RESP2 bytes. Keys whose
-- deadline has passed by the reading node's clock (ARGV[1]) are read as absent: the log deletes
-- them at a later position, but a key is never visible after its deadline.
-- A Redis holding less than the node applied (it lost data) answers an error instead of stale data.
-- ARGV: now-ms, minimum applied-index marker, key count, key positions (into argv, argv[0] = name), argv...
local DEADLINES = '__redraft:deadlines'
local APPLIED = '__redraft:applied'
local ABSENT = '__redraft:absent'

local now = tonumber(ARGV[1])
local marker = tonumber(redis.call('GET', APPLIED) or '0')
if marker < tonumber(ARGV[2]) then
  return redis.error_reply('REDRAFT-LOST ' .. string.format('%d', marker))
end
local nkeys = tonumber(ARGV[3])
local first = 4 + nkeys
local argv = {}
for i = first, #ARGV do argv[#argv + 1] = ARGV[i] end
local deadline = nil
for k = 1, nkeys do
  local position = tonumber(ARGV[3 + k]) + 1
  local d = redis.call('ZSCORE', DEADLINES, argv[position])
  if d then
    d = tonumber(d)
    if d <= now then
      argv[position] = ABSENT
    else
      deadline = d
    end
  end
end

local name = string.upper(argv[1])
if name == 'TTL' or name == 'PTTL' then
  if redis.call('EXISTS', argv[2]) == 0 then return ':-2\r\n' end
  if not deadline then return ':-1\r\n' end
  local ms = deadline - now
  if name == 'TTL' then return ':' .. string.format('%d', math.floor((ms + 500) / 1000)) .. '\r\n' end
  return ':' .. string.format('%d', ms) .. '\r\n'
end
return resp(redis.pcall(unpack(argv)))
