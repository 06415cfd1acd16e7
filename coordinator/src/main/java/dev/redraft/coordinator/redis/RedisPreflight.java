package dev.redraft.coordinator.redis;

import dev.redraft.coordinator.config.HostPort;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Checks, before the node starts, that its Redis is one Redraft can keep consistent: reachable with
 * the configured password, Redis 7.0 or newer, not a replica, never evicting, bound to loopback
 * (unless allowed otherwise), and either empty or already a Redraft replica. Each refusal names the
 * setting and the fix.
 */
public final class RedisPreflight {
  private RedisPreflight() {}

  /** Thrown when the Redis is unusable; the message says what to change. */
  public static final class RedisRefusedException extends RuntimeException {
    RedisRefusedException(String message) {
      super(message);
    }
  }

  public static void check(RedisEndpoint endpoint, boolean allowRemote) {
    String where = "Redis at " + endpoint.address() + " (redis-address)";
    try (Jedis jedis = endpoint.connect()) {
      jedis.ping();
      checkVersion(where, jedis.info("server"));
      checkRole(where, jedis.info("replication"));
      String policy = configValue(jedis, "maxmemory-policy");
      if (!"noeviction".equals(policy)) {
        throw new RedisRefusedException(where + " has maxmemory-policy " + policy
            + ": eviction would silently drop replicated data; set 'maxmemory-policy noeviction' in its configuration");
      }
      String debug = configValue(jedis, "enable-debug-command");
      if (!"local".equals(debug) && !"yes".equals(debug)) {
        throw new RedisRefusedException(where + " has enable-debug-command " + debug + ": Redraft verifies replicas"
            + " with DEBUG DIGEST; set 'enable-debug-command local' in its configuration (a restart is needed)");
      }
      if (!allowRemote) {
        checkLoopback(where, configValue(jedis, "bind"));
      }
      if (jedis.dbSize() > 0 && jedis.get(RedisApplier.APPLIED_KEY) == null) {
        throw new RedisRefusedException(where + " holds " + jedis.dbSize()
            + " keys but no Redraft applied-index marker: it is not a Redraft replica, and its data would be"
            + " mixed with the cluster's; give this node an empty Redis of its own");
      }
    } catch (JedisAccessControlException e) {
      throw new RedisRefusedException(where + " refused the credentials (" + e.getMessage()
          + "): set redis-password (REDRAFT_REDIS_PASSWORD) to its requirepass");
    } catch (JedisConnectionException e) {
      throw new RedisRefusedException(where + " is not reachable (" + e.getMessage()
          + "): start it, or fix redis-address");
    } catch (JedisDataException e) {
      if (e.getMessage() != null && (e.getMessage().startsWith("NOAUTH") || e.getMessage().startsWith("WRONGPASS"))) {
        throw new RedisRefusedException(where + " needs a password (" + e.getMessage()
            + "): set redis-password (REDRAFT_REDIS_PASSWORD) to its requirepass");
      }
      throw new RedisRefusedException(where + " refused a startup check (" + e.getMessage() + ")");
    }
  }

  private static void checkVersion(String where, String serverInfo) {
    String version = infoField(serverInfo, "redis_version");
    String[] parts = version.split("\\.");
    int major;
    try {
      major = Integer.parseInt(parts[0]);
    } catch (NumberFormatException e) {
      throw new RedisRefusedException(where + " reports an unreadable version '" + version + "'");
    }
    if (major < 7) {
      throw new RedisRefusedException(where + " runs Redis " + version + ": Redraft needs Redis 7.0 or newer");
    }
  }

  private static void checkRole(String where, String replicationInfo) {
    String role = infoField(replicationInfo, "role");
    if (!"master".equals(role)) {
      throw new RedisRefusedException(where + " is a replica (role " + role + "): Redraft replicates through its"
          + " own log, so each node needs a standalone Redis; remove 'replicaof' from its configuration");
    }
  }

  /** Every bound address must be a loopback one ("-" marks an optional address in Redis 7). */
  private static void checkLoopback(String where, String bind) {
    String trimmed = bind == null ? "" : bind.trim();
    if (trimmed.isEmpty() || trimmed.equals("*")) {
      throw new RedisRefusedException(where + " listens on every interface (bind '" + trimmed + "'): anyone on the"
          + " network could write to it behind the log; set 'bind 127.0.0.1' (or redis-allow-remote=true)");
    }
    for (String address : trimmed.split("\\s+")) {
      String a = address.startsWith("-") ? address.substring(1) : address;
      if (!HostPort.isLoopback(a)) {
        throw new RedisRefusedException(where + " is bound to " + a + ", which is not a loopback address: anyone"
            + " who reaches it could write behind the log; set 'bind 127.0.0.1' (or redis-allow-remote=true)");
      }
    }
  }

  private static String configValue(Jedis jedis, String name) {
    Map<String, String> values = jedis.configGet(name);
    return values.getOrDefault(name, "");
  }

  private static String infoField(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }
}
