-- Shared by the apply and read scripts (prepended, as resp.lua is): a digest of one key's content,
-- for WATCH. It must come out the same on every replica whatever the key's history or encoding, so
-- unordered collections (hashes, sets) are combined by XOR of per-element hashes (order and locale
-- never matter), ordered ones (lists, sorted sets, streams) in Redis' own order. A key past its
-- deadline at `now` is absent. Every part is length-prefixed, so no two contents share a digest input.
local function digest_part(s)
  return #s .. ':' .. s
end

local function xor_of(hashes)
  local acc = { 0, 0, 0, 0, 0 }
  for _, h in ipairs(hashes) do
    for i = 1, 5 do
      acc[i] = bit.bxor(acc[i], tonumber(string.sub(h, i * 8 - 7, i * 8), 16))
    end
  end
  return bit.tohex(acc[1]) .. bit.tohex(acc[2]) .. bit.tohex(acc[3]) .. bit.tohex(acc[4]) .. bit.tohex(acc[5])
end

local function key_digest(key, now)
  local deadline = redis.call('ZSCORE', '__redraft:deadlines', key)
  if deadline and tonumber(deadline) <= now then return 'absent' end
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'none' then return 'absent' end
  local parts = { digest_part(kind), digest_part(deadline or '') }
  if kind == 'string' then
    parts[#parts + 1] = digest_part(redis.call('GET', key))
  elseif kind == 'hash' then
    local flat, hashes = redis.call('HGETALL', key), {}
    for i = 1, #flat, 2 do hashes[#hashes + 1] = redis.sha1hex(digest_part(flat[i]) .. digest_part(flat[i + 1])) end
    parts[#parts + 1] = xor_of(hashes)
  elseif kind == 'set' then
    local members, hashes = redis.call('SMEMBERS', key), {}
    for i = 1, #members do hashes[i] = redis.sha1hex(members[i]) end
    parts[#parts + 1] = xor_of(hashes)
  elseif kind == 'list' then
    for _, v in ipairs(redis.call('LRANGE', key, 0, -1)) do parts[#parts + 1] = digest_part(v) end
  elseif kind == 'zset' then
    for _, v in ipairs(redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')) do parts[#parts + 1] = digest_part(v) end
  elseif kind == 'stream' then
    for _, entry in ipairs(redis.call('XRANGE', key, '-', '+')) do
      parts[#parts + 1] = digest_part(entry[1])
      for _, v in ipairs(entry[2]) do parts[#parts + 1] = digest_part(v) end
    end
  else
    -- A type Redraft cannot write: digest its serialization (same Redis, same bytes).
    parts[#parts + 1] = digest_part(redis.call('DUMP', key) or '')
  end
  return redis.sha1hex(table.concat(parts))
end
