package dev.redraft.coordinator.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Writes committed entries into this node's Redis: many entries per round trip, each entry's
 * effects together with the applied-index marker and its client session in one Lua script
 * ({@code apply.lua}), so a crash at any point leaves Redis at an exact log index. Used by one
 * thread (the apply pipeline).
 */
public final class RedisApplier implements AutoCloseable {
  /** Keys of Redraft's own state in each Redis (all under the reserved prefix). */
  public static final String APPLIED_KEY = "__redraft:applied";
  public static final String CLOCK_KEY = "__redraft:clock";
  /** Client sessions, written by apply.lua: one field per client id. */
  public static final String SESSIONS_KEY = "__redraft:sessions";
  /** Sorted set of the client ids in {@link #SESSIONS_KEY}, scored by their last use (logical time). */
  public static final String SESSION_TIMES_KEY = "__redraft:session-times";
  /** The highest opening stamp of any dropped session (apply.lua refuses first writes stamped at or below it). */
  public static final String SESSIONS_FORGOTTEN_KEY = "__redraft:sessions-forgotten";
  /** Keys locked by prepared transactions across groups: key -> transaction id (apply.lua). */
  public static final String TX_LOCKS_KEY = "__redraft:tx-locks";
  /** Prepared transactions: id -> what undoes them (apply.lua). */
  public static final String TX_PREPARED_KEY = "__redraft:tx-prepared";
  /** Sorted set of the prepared transactions' ids, scored by the logical time they were prepared at. */
  public static final String TX_PREPARED_TIMES_KEY = "__redraft:tx-prepared-times";
  /** Arguments sent in one script call at most; bigger batches are split (each part stays atomic per entry). */
  private static final long MAX_BYTES_PER_CALL = 16L * 1024 * 1024;

  /** The parts go in front of apply.lua in this order: each uses only what the ones before it define. */
  private static final LuaScript APPLY = new LuaScript("apply.lua", "apply-commands.lua", "slots.lua", "sessions.lua",
      "transactions.lua", "slot-steps.lua");

  private final RedisEndpoint endpoint;
  private Jedis jedis;

  public RedisApplier(RedisEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** The applied-index marker in Redis: the last log index whose effects it holds (0 if none). */
  public long readAppliedMarker() {
    return readLong(APPLIED_KEY);
  }

  /** The highest logical time of any applied entry (0 if none). */
  public long readLogicalTime() {
    return readLong(CLOCK_KEY);
  }

  private long readLong(String key) {
    try {
      String value = connection().get(key);
      return value == null ? 0 : Long.parseLong(value);
    } catch (JedisConnectionException e) {
      dropConnection(); // Redis restarted or the link broke: reconnect next time
      throw e;
    }
  }

  /**
   * Applies entries in order. Entries at or below the marker are skipped (a replay).
   *
   * @param expectedMarker the marker this Redis must hold at least (what this node applied so far)
   * @throws RedisStateException if Redis holds less: it lost data and must be repaired
   * @throws RuntimeException (Jedis) if Redis cannot be reached; safe to call again with the same entries
   */
  public List<ApplyResult> apply(long expectedMarker, List<ApplyRequest> requests) {
    List<ApplyResult> results = new ArrayList<>(requests.size());
    int from = 0;
    long expected = expectedMarker;
    while (from < requests.size()) {
      int to = from;
      long bytes = 0;
      while (to < requests.size() && (to == from || bytes + sizeOf(requests.get(to)) <= MAX_BYTES_PER_CALL
          || requests.get(to).index() == requests.get(to - 1).index())) { // never split a group entry
        bytes += sizeOf(requests.get(to));
        to++;
        if (requests.get(to - 1).verify()) {
          break; // the digest is taken right after a VERIFY entry, before anything later is applied
        }
      }
      List<ApplyRequest> part = requests.subList(from, to);
      Object reply = run(encode(expected, part));
      List<ApplyResult> partResults = decode(expected, part, reply, results);
      int last = partResults.size() - 1;
      // A replayed VERIFY entry that Redis already held would be digested at a later position: only
      // an entry applied now has a digest.
      if (part.get(part.size() - 1).verify() && partResults.get(last).outcome() == ApplyOutcome.APPLIED) {
        partResults.set(last, partResults.get(last).withDigest(digest()));
      }
      results.addAll(partResults);
      expected = Math.max(expected, part.get(part.size() - 1).index());
      from = to;
    }
    return results;
  }

  /**
   * Redis' digest of the whole dataset (DEBUG DIGEST: equal data, equal digest; needs
   * enable-debug-command). Only this applier writes Redis, so it is the digest at the last applied entry.
   */
  private String digest() {
    try {
      return new String((byte[]) connection().sendCommand(DEBUG, DIGEST), StandardCharsets.US_ASCII);
    } catch (JedisConnectionException e) {
      dropConnection();
      throw e;
    }
  }

  private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DIGEST = "DIGEST".getBytes(StandardCharsets.US_ASCII);

  private Object run(List<byte[]> args) {
    try {
      return APPLY.run(connection(), args);
    } catch (JedisConnectionException e) {
      dropConnection();
      throw e;
    }
  }

  /** ARGV: expected marker, entry count, then per entry: index, client, sequence, time, fingerprint,
   *  session idle timeout, session max, opening stamps (0, 1 or 2), transaction phase, transaction id,
   *  transaction home group, command count, and per command: argc,
   *  key count, key positions, argv. */
  private static List<byte[]> encode(long expectedMarker, List<ApplyRequest> requests) {
    List<byte[]> args = new ArrayList<>();
    args.add(number(expectedMarker));
    args.add(number(requests.size()));
    for (ApplyRequest request : requests) {
      args.add(number(request.index()));
      args.add(request.clientId().getBytes(StandardCharsets.UTF_8));
      args.add(number(request.sequence()));
      args.add(number(request.logicalTimeMs()));
      args.add(request.fingerprint().getBytes(StandardCharsets.US_ASCII));
      args.add(number(request.session().idleTimeoutMs()));
      args.add(number(request.session().max()));
      args.add(number(!request.session().openingStamps() ? 0 : request.session().openAtAnySequence() ? 2 : 1));
      args.add(number(request.tx().phase()));
      args.add(request.tx().id().getBytes(StandardCharsets.UTF_8));
      args.add(number(request.tx().home()));
      args.add(number(request.commands().size()));
      for (RedisCommand command : request.commands()) {
        args.add(number(command.argv().size()));
        args.add(number(command.keyPositions().length));
        for (int position : command.keyPositions()) {
          args.add(number(position));
        }
        args.addAll(command.argv());
      }
    }
    return args;
  }

  private List<ApplyResult> decode(long expectedMarker, List<ApplyRequest> requests, Object reply,
      List<ApplyResult> appliedBefore) {
    List<?> items = (List<?>) reply;
    String status = new String((byte[]) items.get(0), StandardCharsets.US_ASCII);
    long marker = (Long) items.get(1);
    if (status.equals("LOST")) {
      throw new RedisStateException("Redis at " + endpoint.address() + " holds applied index " + marker
          + " but this node applied up to " + expectedMarker + " (did it restart without its data?)",
          expectedMarker, marker, appliedBefore);
    }
    List<ApplyResult> results = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      int at = 2 + i * 3;
      ApplyOutcome outcome = ApplyOutcome.values()[((Long) items.get(at)).intValue()];
      boolean rolledBack = (Long) items.get(at + 1) == 1L;
      byte[] replies = (byte[]) items.get(at + 2);
      results.add(new ApplyResult(requests.get(i).index(), outcome, rolledBack, replies, null));
    }
    return results;
  }

  private static long sizeOf(ApplyRequest request) {
    long size = 96 + request.clientId().length() + request.fingerprint().length();
    for (RedisCommand command : request.commands()) {
      size += 16;
      for (byte[] arg : command.argv()) {
        size += arg.length + 8;
      }
    }
    return size;
  }

  private static byte[] number(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private Jedis connection() {
    if (jedis == null) {
      jedis = endpoint.connect();
    }
    return jedis;
  }

  private void dropConnection() {
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // already broken
      }
      jedis = null;
    }
  }

  @Override
  public void close() {
    dropConnection();
  }
}
