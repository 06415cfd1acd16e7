package dev.redraft.coordinator.redis;

import dev.redraft.coordinator.errors.KeyLockedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Reads this node's Redis for clients (thread-safe, pooled). A read runs in one Lua script
 * ({@code read.lua}) that hides keys whose deadline has passed and returns Redis' own reply as RESP2.
 */
public final class RedisReader implements AutoCloseable {
  private static final int POOL_SIZE = 16;
  private static final LuaScript READ = new LuaScript("read.lua", "slots.lua");
  private static final String LOST_REPLY = "REDRAFT-LOST";
  private static final String LOCKED_REPLY = "REDRAFT-LOCKED";
  /** Slot moves' records (slot-steps.lua, part of the apply script): group 0's map of moved slots, its version, and the moves in progress. */
  static final String SLOT_MAP_KEY = "__redraft:slot-map";
  static final String SLOT_MAP_VERSION_KEY = "__redraft:slot-map-version";
  static final String SLOT_SPLIT_KEY = "__redraft:slot-split";
  static final String SLOT_MOVES_KEY = "__redraft:slot-moves";
  private static final byte[] DEADLINES_KEY = "__redraft:deadlines".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESERVED_PREFIX = "__redraft:".getBytes(StandardCharsets.US_ASCII);

  private final JedisPool pool;

  public RedisReader(RedisEndpoint endpoint) {
    this(endpoint.pool(POOL_SIZE));
  }

  RedisReader(JedisPool pool) {
    this.pool = pool;
  }

  /**
   * Runs a read command now; returns Redis' reply as RESP2 bytes.
   *
   * @param minMarker the applied index this Redis must hold at least
   * @throws RedisStateException if it holds less (it lost data): nothing is read
   * @throws JedisConnectionException if Redis did not answer on two connections
   */
  public byte[] read(RedisCommand command, long minMarker) {
    return readAll(List.of(command), minMarker).get(0);
  }

  /** Runs read commands now, in one script call; Redis' reply to each as RESP2 bytes, in order. */
  public List<byte[]> readAll(List<RedisCommand> commands, long minMarker) {
    List<byte[]> args = new ArrayList<>(3 + commands.size() * 6);
    args.add(number(System.currentTimeMillis()));
    args.add(number(minMarker));
    args.add(number(commands.size()));
    for (RedisCommand command : commands) {
      args.add(number(command.keyPositions().length));
      args.add(number(command.argv().size()));
      for (int position : command.keyPositions()) {
        args.add(number(position));
      }
      args.addAll(command.argv());
    }
    return withConnection(jedis -> {
      try {
        List<?> replies = (List<?>) READ.run(jedis, args);
        List<byte[]> out = new ArrayList<>(replies.size());
        replies.forEach(reply -> out.add((byte[]) reply));
        return out;
      } catch (JedisDataException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith(LOST_REPLY)) {
          long marker = Long.parseLong(message.substring(LOST_REPLY.length()).trim());
          throw new RedisStateException("its Redis holds applied index " + marker + " but this node applied up to "
              + minMarker + " (it restarted without its data?)", minMarker, marker, List.of());
        }
        if (message.startsWith(LOCKED_REPLY)) {
          throw new KeyLockedException(message.substring(LOCKED_REPLY.length()).trim());
        }
        throw e;
      }
    });
  }

  /** A whole hash of Redraft's own state (e.g. the member directory). */
  public Map<String, String> readHash(String key) {
    return withConnection(jedis -> jedis.hgetAll(key));
  }

  /** A transaction across groups prepared in this Redis: its id, its home group, when it was prepared. */
  public record PreparedTx(String id, int home, long preparedAtMs) {}

  /** Up to {@code limit} transactions prepared here at or before {@code logicalTimeMs}, oldest first. */
  public List<PreparedTx> preparedBefore(long logicalTimeMs, int limit) {
    return withConnection(jedis -> {
      List<PreparedTx> out = new ArrayList<>();
      for (redis.clients.jedis.resps.Tuple t
          : jedis.zrangeByScoreWithScores(RedisApplier.TX_PREPARED_TIMES_KEY, 0, logicalTimeMs, 0, limit)) {
        String member = t.getElement();
        int colon = member.indexOf(':');
        out.add(new PreparedTx(member.substring(colon + 1), Integer.parseInt(member.substring(0, colon)),
            (long) t.getScore()));
      }
      return out;
    });
  }

  /**
   * Group 0's record of the slot map: how many moves finished, the owner of every slot that moved, and the
   * number of groups the static split divides the slots over (0: not recorded; the first move records it).
   */
  public record StoredSlotMap(long version, Map<Integer, Integer> moved, int splitGroups) {}

  /** The slot map's version and the split group 0 recorded (0: none), read often to see whether either changed. */
  public record SlotMapHead(long version, int splitGroups) {}

  public SlotMapHead slotMapHead() {
    return withConnection(jedis -> {
      List<String> values = jedis.mget(SLOT_MAP_VERSION_KEY, SLOT_SPLIT_KEY);
      return new SlotMapHead(values.get(0) == null ? 0 : Long.parseLong(values.get(0)),
          values.get(1) == null ? 0 : Integer.parseInt(values.get(1)));
    });
  }

  /** Group 0's slot map as applied here (moved slots and version read together). */
  public StoredSlotMap slotMap() {
    return withConnection(jedis -> {
      redis.clients.jedis.Transaction both = jedis.multi();
      redis.clients.jedis.Response<String> version = both.get(SLOT_MAP_VERSION_KEY);
      redis.clients.jedis.Response<Map<String, String>> moved = both.hgetAll(SLOT_MAP_KEY);
      redis.clients.jedis.Response<String> split = both.get(SLOT_SPLIT_KEY);
      both.exec();
      Map<Integer, Integer> owners = new java.util.HashMap<>();
      moved.get().forEach((slot, group) -> owners.put(Integer.parseInt(slot), Integer.parseInt(group)));
      return new StoredSlotMap(version.get() == null ? 0 : Long.parseLong(version.get()), owners,
          split.get() == null ? 0 : Integer.parseInt(split.get()));
    });
  }

  /**
   * A slot move group 0 recorded and has not finished: its id is the log index of its BEGIN; splitGroups,
   * the groups of the static split its BEGIN checked ownership by.
   */
  public record SlotMove(long id, int source, int target, int splitGroups, List<Integer> slots) {}

  /** The moves in progress (group 0), oldest first. */
  public List<SlotMove> slotMoves() {
    return withConnection(jedis -> {
      List<SlotMove> moves = new ArrayList<>();
      jedis.hgetAll(SLOT_MOVES_KEY).forEach((id, record) -> {
        String[] parts = record.split(" ", 4);
        List<Integer> slots = java.util.Arrays.stream(parts[3].split(",")).map(Integer::parseInt).toList();
        moves.add(new SlotMove(Long.parseLong(id), Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
            Integer.parseInt(parts[2]), slots));
      });
      moves.sort(java.util.Comparator.comparingLong(SlotMove::id));
      return moves;
    });
  }

  /** The keys locked by prepared transactions across groups. */
  public java.util.Set<byte[]> lockedKeys() {
    return withConnection(jedis -> jedis.hkeys(RedisApplier.TX_LOCKS_KEY.getBytes(StandardCharsets.US_ASCII)));
  }

  /** A key as a slot move copies it: Redis' DUMP of its value and its logical deadline (0: none). */
  public record KeyDump(byte[] key, byte[] value, long deadlineMs) {}

  /**
   * Every key (outside Redraft's own namespace) whose slot is in {@code slots}, with its value and deadline,
   * handed over in batches of at most {@code batchKeys}: one pass of SCAN over the whole keyspace (Redis
   * keeps no index by slot outside cluster mode).
   */
  public void dumpKeysOfSlots(java.util.BitSet slots, int batchKeys, java.util.function.Consumer<List<KeyDump>> batches) {
    withConnection(jedis -> {
      byte[] cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START_BINARY;
      redis.clients.jedis.params.ScanParams params = new redis.clients.jedis.params.ScanParams().count(1000);
      List<byte[]> matched = new ArrayList<>();
      do {
        redis.clients.jedis.resps.ScanResult<byte[]> page = jedis.scan(cursor, params);
        for (byte[] key : page.getResult()) {
          if (!startsWith(key, RESERVED_PREFIX) && slots.get(dev.redraft.api.KeySlot.of(key))) {
            matched.add(key);
          }
        }
        while (matched.size() >= batchKeys || (page.isCompleteIteration() && !matched.isEmpty())) {
          List<byte[]> batch = new ArrayList<>(matched.subList(0, Math.min(batchKeys, matched.size())));
          matched.subList(0, batch.size()).clear();
          batches.accept(dumps(jedis, batch));
        }
        cursor = page.getCursorAsBytes();
      } while (!java.util.Arrays.equals(cursor, redis.clients.jedis.params.ScanParams.SCAN_POINTER_START_BINARY));
      return null;
    });
  }

  /** A client session as a slot move copies it: its record (sessions.lua's format) and last use (logical ms). */
  public record SessionDump(byte[] clientId, byte[] record, long lastUseMs) {}

  /** Every client session, in batches of at most {@code batchSessions}: one pass of HSCAN. */
  public void dumpSessions(int batchSessions, java.util.function.Consumer<List<SessionDump>> batches) {
    byte[] sessions = RedisApplier.SESSIONS_KEY.getBytes(StandardCharsets.US_ASCII);
    byte[] times = RedisApplier.SESSION_TIMES_KEY.getBytes(StandardCharsets.US_ASCII);
    withConnection(jedis -> {
      byte[] cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START_BINARY;
      redis.clients.jedis.params.ScanParams params = new redis.clients.jedis.params.ScanParams().count(batchSessions);
      do {
        redis.clients.jedis.resps.ScanResult<Map.Entry<byte[], byte[]>> page = jedis.hscan(sessions, cursor, params);
        List<Map.Entry<byte[], byte[]>> entries = page.getResult();
        if (!entries.isEmpty()) {
          List<Double> lastUses = jedis.zmscore(times, entries.stream().map(Map.Entry::getKey).toArray(byte[][]::new));
          List<SessionDump> batch = new ArrayList<>(entries.size());
          for (int i = 0; i < entries.size(); i++) {
            Double lastUse = lastUses.get(i);
            batch.add(new SessionDump(entries.get(i).getKey(), entries.get(i).getValue(),
                lastUse == null ? 0 : lastUse.longValue()));
          }
          batches.accept(batch);
        }
        cursor = page.getCursorAsBytes();
      } while (!java.util.Arrays.equals(cursor, redis.clients.jedis.params.ScanParams.SCAN_POINTER_START_BINARY));
      return null;
    });
  }

  /** The highest opening stamp of any dropped session (0: none dropped). */
  public long sessionsForgotten() {
    return withConnection(jedis -> {
      String value = jedis.get(RedisApplier.SESSIONS_FORGOTTEN_KEY);
      return value == null ? 0 : Long.parseLong(value);
    });
  }

  /**
   * Which Redis process this is and the applied-index marker it holds: a copy read between two equal
   * answers, the marker at least the index it needs, read one dataset that no restart or reload replaced.
   */
  public record Incarnation(String runId, long appliedMarker) {}

  public Incarnation incarnation() {
    return withConnection(jedis -> {
      String runId = jedis.info("server").lines().filter(line -> line.startsWith("run_id:"))
          .map(line -> line.substring("run_id:".length()).trim()).findFirst().orElse("");
      String marker = jedis.get(RedisApplier.APPLIED_KEY);
      return new Incarnation(runId, marker == null ? 0 : Long.parseLong(marker));
    });
  }

  private static List<KeyDump> dumps(Jedis jedis, List<byte[]> keys) {
    redis.clients.jedis.Pipeline pipeline = jedis.pipelined();
    List<redis.clients.jedis.Response<byte[]>> values = new ArrayList<>(keys.size());
    List<redis.clients.jedis.Response<Double>> deadlines = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      values.add(pipeline.dump(key));
      deadlines.add(pipeline.zscore(DEADLINES_KEY, key));
    }
    pipeline.sync();
    List<KeyDump> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      byte[] value = values.get(i).get();
      if (value != null) { // gone since the scan saw it (expired)
        Double deadline = deadlines.get(i).get();
        out.add(new KeyDump(keys.get(i), value, deadline == null ? 0 : deadline.longValue()));
      }
    }
    return out;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Number of client sessions (exactly-once state) kept in Redis. */
  public long sessionCount() {
    return withConnection(jedis -> jedis.hlen(RedisApplier.SESSIONS_KEY));
  }

  /** True if Redis answers PING now. */
  public boolean ping() {
    try {
      return withConnection(jedis -> "PONG".equals(jedis.ping()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs a read on a pooled connection. Connections pooled before Redis restarted fail on their first
   * use (a read through a node whose Redis had restarted failed that way, as an internal error): the
   * idle ones are dropped and, since a read changes nothing, it gets one more try on a fresh one.
   */
  private <T> T withConnection(Function<Jedis, T> read) {
    try {
      return once(read);
    } catch (JedisConnectionException staleConnection) {
      pool.clear();
      return once(read);
    }
  }

  private <T> T once(Function<Jedis, T> read) {
    try (Jedis jedis = pool.getResource()) {
      return read.apply(jedis);
    }
  }

  private static byte[] number(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    pool.close();
  }
}
