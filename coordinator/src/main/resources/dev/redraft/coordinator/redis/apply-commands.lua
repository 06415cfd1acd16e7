-- The apply script's commands (LuaScript puts this in front of apply.lua): each runs as Redis runs it,
-- and keeps the deadline set right. Deadlines live in a sorted set, not as native Redis TTLs: a key
-- deleted or replaced by a command loses its deadline, a key a command creates has none, RENAME and
-- COPY move or copy it, and relative times arrive already made absolute by the leader (Determinizer).
-- Reads (in a batch) are answered by reads.lua's functions, at the entry's logical time.
local SWEEP_LIMIT = 16

-- Whether any key may have a deadline: without one, the deadline bookkeeping below is skipped (most
-- writes carry no TTL, and each redis.call costs). Read from Redis, so it is the same on every replica.
local has_deadlines = redis.call('EXISTS', DEADLINES) == 1

local function add_deadline(deadline, key)
  redis.call('ZADD', DEADLINES, deadline, key)
  has_deadlines = true
end

local function drop_deadline(key)
  if has_deadlines then redis.call('ZREM', DEADLINES, key) end
end

local function is_error(r)
  return type(r) == 'table' and r.err ~= nil
end

local function forget_deadline_if_gone(key)
  if has_deadlines and redis.call('EXISTS', key) == 0 then
    redis.call('ZREM', DEADLINES, key)
  end
end

local function expire_if_due(key, now)
  if not has_deadlines then return end
  local d = redis.call('ZSCORE', DEADLINES, key)
  if d and tonumber(d) <= now then
    redis.call('DEL', key)
    redis.call('ZREM', DEADLINES, key)
  end
end

local function sweep(now)
  if not has_deadlines then return end
  local due = redis.call('ZRANGEBYSCORE', DEADLINES, '-inf', string.format('%d', now), 'LIMIT', 0, SWEEP_LIMIT)
  for _, key in ipairs(due) do
    redis.call('DEL', key)
    redis.call('ZREM', DEADLINES, key)
  end
end

-- SET without native TTLs: PXAT is stripped and kept in DEADLINES once the SET took effect.
local function apply_set(argv, now)
  local key = argv[2]
  if #argv == 3 then -- no option: the value replaces any deadline
    local r = redis.pcall('SET', key, argv[3])
    if not is_error(r) then drop_deadline(key) end
    return r
  end
  local args = { 'SET', key, argv[3] }
  local nx, xx, keepttl, pxat = false, false, false, nil
  local i = 4
  while i <= #argv do
    local opt = string.upper(argv[i])
    if opt == 'PXAT' then
      pxat = argv[i + 1]
      i = i + 2
    else
      if opt == 'NX' then nx = true elseif opt == 'XX' then xx = true elseif opt == 'KEEPTTL' then keepttl = true end
      args[#args + 1] = argv[i]
      i = i + 1
    end
  end
  local existed = (nx or xx) and redis.call('EXISTS', key) == 1
  local r = redis.pcall(unpack(args))
  if is_error(r) then return r end
  local wrote = (not nx or not existed) and (not xx or existed)
  if wrote then
    if pxat then
      if tonumber(pxat) <= now then
        redis.call('DEL', key)
        drop_deadline(key)
      else
        add_deadline(pxat, key)
      end
    elseif not keepttl then
      drop_deadline(key)
    end
  end
  return r
end

-- PEXPIREAT key deadline [NX|XX|GT|LT], as Redis 7.0 decides it, against the deadline set.
local function apply_pexpireat(argv, now)
  local key, deadline_text = argv[2], argv[3]
  local deadline = tonumber(deadline_text)
  if redis.call('EXISTS', key) == 0 then return 0 end
  local nx, xx, gt, lt = false, false, false, false
  for i = 4, #argv do
    local opt = string.upper(argv[i])
    if opt == 'NX' then nx = true elseif opt == 'XX' then xx = true elseif opt == 'GT' then gt = true elseif opt == 'LT' then lt = true end
  end
  local current = redis.call('ZSCORE', DEADLINES, key)
  current = current and tonumber(current)
  if nx and current then return 0 end
  if xx and not current then return 0 end
  -- No deadline counts as infinite.
  if gt and (not current or deadline <= current) then return 0 end
  if lt and current and deadline >= current then return 0 end
  if deadline <= now then
    redis.call('DEL', key)
    drop_deadline(key)
  else
    add_deadline(deadline_text, key)
  end
  return 1
end

local function apply_persist(argv)
  local key = argv[2]
  if not has_deadlines or redis.call('EXISTS', key) == 0 then return 0 end
  return redis.call('ZREM', DEADLINES, key)
end

-- GETEX key [PXAT deadline|PERSIST] (relative times were made absolute by the leader). A time that
-- is not a positive integer stays as given: Redis answers nil without a key, else an error.
local function apply_getex(argv, now)
  local key = argv[2]
  local opt = argv[3] and string.upper(argv[3])
  local valid_pxat = opt == 'PXAT' and #argv == 4 and string.match(argv[4], '^[1-9]%d*$')
  if opt and opt ~= 'PERSIST' and not valid_pxat then
    return redis.pcall(unpack(argv))
  end
  local r = redis.pcall('GET', key)
  if is_error(r) or not r then return r end
  if opt == 'PXAT' then
    if tonumber(argv[4]) <= now then
      redis.call('DEL', key)
      drop_deadline(key)
    else
      add_deadline(argv[4], key)
    end
  elseif opt == 'PERSIST' then
    drop_deadline(key)
  end
  return r
end

-- The destination takes the source's deadline, or none (RENAME, COPY: as Redis moves TTLs).
local function carry_deadline(from, to, keep_source)
  local d = has_deadlines and redis.call('ZSCORE', DEADLINES, from)
  if d then add_deadline(d, to) else drop_deadline(to) end
  if not keep_source then drop_deadline(from) end
end

-- FLUSHDB and FLUSHALL empty the application's keys and the deadlines; Redraft's own state survives.
local function apply_flush(argv)
  local saved = {}
  for _, key in ipairs(redis.call('KEYS', OWN_PREFIX .. '*')) do
    if key ~= DEADLINES then saved[#saved + 1] = { key, redis.call('DUMP', key) } end
  end
  redis.call('FLUSHDB', argv[2] or 'SYNC')
  for _, s in ipairs(saved) do redis.call('RESTORE', s[1], 0, s[2]) end
  has_deadlines = false
  return { ok = 'OK' }
end

-- a > b for non-negative decimal integers of any length.
local function decimal_greater(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

-- XADD with *: the ID's time is the entry's logical time, or the stream's last ID's time if that is
-- later (as Redis does with its clock), so every replica generates the same ID.
local function apply_xadd(argv, now)
  local i = 3
  while i <= #argv do
    local opt = string.upper(argv[i])
    if opt == 'NOMKSTREAM' then
      i = i + 1
    elseif opt == 'MAXLEN' or opt == 'MINID' then
      i = i + 1
      if argv[i] == '=' or argv[i] == '~' then i = i + 1 end
      i = i + 1
    elseif opt == 'LIMIT' then
      i = i + 2
    else
      break
    end
  end
  if argv[i] == '*' then
    local ms = string.format('%d', now)
    local info = redis.pcall('XINFO', 'STREAM', argv[2])
    if not is_error(info) then
      for j = 1, #info, 2 do
        if info[j] == 'last-generated-id' then
          local last = string.match(info[j + 1], '^(%d+)-')
          if decimal_greater(last, ms) then ms = last end
        end
      end
    end
    argv[i] = ms .. '-*'
  end
  return redis.pcall(unpack(argv))
end

-- Commands that replace their destination (argv index) with a new value: Redis drops its TTL.
local REPLACES_DESTINATION = { GETSET = 2, SINTERSTORE = 2, SUNIONSTORE = 2, SDIFFSTORE = 2,
  ZUNIONSTORE = 2, ZINTERSTORE = 2, ZDIFFSTORE = 2, ZRANGESTORE = 2, BITOP = 3 }

-- Lua numbers are doubles: an integer reply above 2^53 is re-read from the key as a string.
local EXACT_INTEGER = 9007199254740992
local function exact_integer(name, argv, r)
  if type(r) ~= 'number' or (r < EXACT_INTEGER and r > -EXACT_INTEGER) then return nil end
  if name == 'HINCRBY' then return redis.call('HGET', argv[2], argv[3]) end
  return redis.call('GET', argv[2])
end

local function run_command(argv, keys, now)
  local name = string.upper(argv[1])
  local r
  if name == 'SET' then
    r = apply_set(argv, now)
  elseif name == 'PEXPIREAT' then
    r = apply_pexpireat(argv, now)
  elseif name == 'PERSIST' then
    r = apply_persist(argv)
  elseif name == 'GETEX' then
    r = apply_getex(argv, now)
  elseif name == 'FLUSHDB' or name == 'FLUSHALL' then
    r = apply_flush(argv)
  else
    local handled
    handled, r = bookkeeping_read(name, argv, now, has_deadlines)
    if not handled then
      if name == 'XADD' then
        r = apply_xadd(argv, now)
      else
        r = redis.pcall(unpack(argv))
      end
      if not is_error(r) then
        if name == 'MSET' then
          for _, key in ipairs(keys) do drop_deadline(key) end
        elseif (name == 'RENAME' or (name == 'RENAMENX' and r == 1)) and argv[2] ~= argv[3] then
          carry_deadline(argv[2], argv[3], false)
        elseif name == 'COPY' and r == 1 then
          carry_deadline(argv[2], argv[3], true)
        elseif REPLACES_DESTINATION[name] then
          drop_deadline(argv[REPLACES_DESTINATION[name]])
        end
        for _, key in ipairs(keys) do forget_deadline_if_gone(key) end
      end
    end
  end
  if is_error(r) then return r, nil end
  local exact = exact_integer(name, argv, r)
  if exact then return r, ':' .. exact .. '\r\n' end
  return r, nil
end

