-- Shared by the apply and read scripts (LuaScript puts it in front of each, after resp.lua): Redraft's
-- own keys, and the reads whose answer comes from Redraft's bookkeeping rather than from Redis alone.
-- Both scripts answer them with these functions, so a read in a write batch (at the entry's logical
-- time) gives what a Read gives (at the node's clock). Keys past their deadline must already be out of
-- the way: deleted (apply) or renamed to an absent key (read).
local DEADLINES = '__redraft:deadlines'
local OWN_PREFIX = '__redraft:'
-- Every key Redraft keeps in Redis: DBSIZE subtracts those that exist (RedisApplierTest checks the list).
local OWN_KEYS = { '__redraft:applied', '__redraft:clock', '__redraft:sessions', '__redraft:session-times',
  '__redraft:sessions-forgotten', '__redraft:deadlines', '__redraft:members', '__redraft:tx-locks',
  '__redraft:tx-prepared', '__redraft:tx-prepared-times', '__redraft:tx-outcomes', '__redraft:tx-outcome-times',
  '__redraft:tx-undo-count', '__redraft:tx-waiting' }

local function is_own(key)
  return string.sub(key, 1, #OWN_PREFIX) == OWN_PREFIX
end

local function deadline_of(key, has_deadlines)
  if not has_deadlines then return nil end
  local d = redis.call('ZSCORE', DEADLINES, key)
  return d and tonumber(d)
end

-- True if users may see the key at time now: not Redraft's, not past its deadline.
local function is_visible(key, now, has_deadlines)
  if is_own(key) then return false end
  local d = deadline_of(key, has_deadlines)
  return not d or d > now
end

local function visible_keys(keys, now, has_deadlines)
  local out = {}
  for _, key in ipairs(keys) do
    if is_visible(key, now, has_deadlines) then out[#out + 1] = key end
  end
  return out
end

-- TTL, PTTL, EXPIRETIME, PEXPIRETIME as Redis answers them (-2: no key, -1: no deadline).
local function expiry_reply(name, key, now, has_deadlines)
  if redis.call('EXISTS', key) == 0 then return -2 end
  local d = deadline_of(key, has_deadlines)
  if not d then return -1 end
  if name == 'EXPIRETIME' then return math.floor(d / 1000) end
  if name == 'PEXPIRETIME' then return d end
  local ms = math.max(d - now, 0)
  if name == 'TTL' then return math.floor((ms + 500) / 1000) end
  return ms
end

local function random_visible_key(now, has_deadlines)
  for _ = 1, 16 do
    local key = redis.call('RANDOMKEY')
    if not key then return false end
    if is_visible(key, now, has_deadlines) then return key end
  end
  -- Mostly Redraft's own or expired keys: walk the keyspace for a visible one.
  local cursor = '0'
  repeat
    local page = redis.call('SCAN', cursor, 'COUNT', 100)
    cursor = page[1]
    for _, key in ipairs(page[2]) do
      if is_visible(key, now, has_deadlines) then return key end
    end
  until cursor == '0'
  return false
end

local EXPIRY_READS = { TTL = true, PTTL = true, EXPIRETIME = true, PEXPIRETIME = true }

-- Returns true and the reply (as redis.pcall gives it) if name is one of these reads, else false.
local function bookkeeping_read(name, argv, now, has_deadlines)
  if EXPIRY_READS[name] then
    return true, expiry_reply(name, argv[2], now, has_deadlines)
  elseif name == 'KEYS' then
    return true, visible_keys(redis.call('KEYS', argv[2]), now, has_deadlines)
  elseif name == 'SCAN' then
    -- A page may hold fewer keys than COUNT, or none, before the cursor ends: Redis allows that.
    local page = redis.pcall(unpack(argv))
    if page.err then return true, page end
    return true, { page[1], visible_keys(page[2], now, has_deadlines) }
  elseif name == 'DBSIZE' then
    -- (Values kept to undo prepared transactions are Redraft's too: counted in __redraft:tx-undo-count.)
    local n = redis.call('DBSIZE') - redis.call('EXISTS', unpack(OWN_KEYS))
      - tonumber(redis.call('GET', '__redraft:tx-undo-count') or '0')
    if has_deadlines then
      n = n - redis.call('ZCOUNT', DEADLINES, '-inf', string.format('%d', now))
    end
    return true, n
  elseif name == 'RANDOMKEY' then
    return true, random_visible_key(now, has_deadlines)
  elseif name == 'WATCH' then
    -- Each key's digest (digest.lua): what a WATCH condition compares when its entry is applied.
    local digests = {}
    for i = 2, #argv do digests[#digests + 1] = key_digest(argv[i], now) end
    return true, digests
  end
  return false, nil
end
