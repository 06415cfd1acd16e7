-- Shared by the apply and read scripts: prepended to each when it is loaded (LuaScript).
-- RESP2 encoding of a reply as redis.pcall hands it to Lua.
local function resp(r)
  local t = type(r)
  if t == 'string' then
    return '$' .. #r .. '\r\n' .. r .. '\r\n'
  elseif t == 'number' then
    return ':' .. string.format('%d', r) .. '\r\n'
  elseif t == 'boolean' then
    if r then return ':1\r\n' end
    return '$-1\r\n'
  elseif t == 'table' then
    if r.err then return '-' .. r.err .. '\r\n' end
    if r.ok then return '+' .. r.ok .. '\r\n' end
    local parts = { '*' .. #r .. '\r\n' }
    for i = 1, #r do parts[#parts + 1] = resp(r[i]) end
    return table.concat(parts)
  end
  return '$-1\r\n'
end

local function simple_array(word)
  return '*1\r\n+' .. word .. '\r\n'
end
