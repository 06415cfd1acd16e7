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
