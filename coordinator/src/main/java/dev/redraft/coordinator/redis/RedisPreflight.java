package dev.redraft.coordinator.redis;

import dev.redraft.coordinator.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Checks, before the node starts, that its Redis is one Redraft can keep consistent: reachable with
 * the configured user and password, that user allowed the commands Redraft sends, Redis 7.0 or newer,
 * not a replica, never evicting, bound to loopback (unless allowed otherwise), and either empty or
 * already a Redraft replica. Each refusal names the setting and the fix. A user that may also
 * reconfigure Redis (CONFIG SET) gets one warning: it works, but it is broader than needed.
 */
public final class RedisPreflight {
  private static final Logger LOG = LoggerFactory.getLogger(RedisPreflight.class);

  /** A key no Redraft data uses, for the probes below. */
  private static final String PROBE_KEY = "__redraft:preflight-probe";

  /**
   * The commands Redraft sends outside its Lua scripts, each in a harmless form: Redis checks a
   * command against the user's ACL before it runs it, so a refused command answers NOPERM, while an
   * allowed one fails on its arguments and changes nothing. FLUSHALL, FLUSHDB and KEYS (snapshot
   * install and some reads) are not probed: no form of them is both harmless and cheap.
   */
  private record Probe(String rule, ProtocolCommand command, String... args) {}

  private static final List<Probe> NEEDED = List.of(
      new Probe("+info", Protocol.Command.INFO, "server"),
      new Probe("+config|get", Protocol.Command.CONFIG, "GET", "maxmemory-policy"),
      // An extra argument: DEBUG DIGEST refuses it before computing anything.
      new Probe("+debug|digest", () -> "DEBUG".getBytes(StandardCharsets.US_ASCII), "DIGEST", "redraft-preflight-probe"),
      new Probe("+restore", Protocol.Command.RESTORE, PROBE_KEY, "0", "not-a-dump-payload"),
      new Probe("+dump", Protocol.Command.DUMP, PROBE_KEY),
      new Probe("+scan", Protocol.Command.SCAN, "0", "COUNT", "1"),
      new Probe("+evalsha", Protocol.Command.EVALSHA, "0".repeat(40), "0"),
      new Probe("+script|load", Protocol.Command.SCRIPT, "LOAD", "return 0"));

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
      checkPermissions(where, endpoint.user(), jedis);
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
      if (broaderThanNeeded(jedis)) {
        LOG.warn("Redis user '{}' at {} may run CONFIG SET, so whoever holds its password can reconfigure this Redis"
            + " behind the log: give the coordinator an ACL user allowed only the commands Redraft needs"
            + " (redis-user; scripts/cluster.sh makes one; see README, Security)", endpoint.user(), endpoint.address());
      }
    } catch (JedisAccessControlException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("NOPERM")) {
        throw new RedisRefusedException(where + " refuses user '" + endpoint.user() + "' a command Redraft needs ("
            + e.getMessage() + "): allow it in that user's ACL rule");
      }
      throw new RedisRefusedException(where + " refused the credentials of user '" + endpoint.user() + "' ("
          + e.getMessage() + "): set redis-password (REDRAFT_REDIS_PASSWORD) to that user's password, and redis-user"
          + " (REDRAFT_REDIS_USER) to the ACL user, or leave it empty for the default user (requirepass)");
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

  /** Every command in {@link #NEEDED} is allowed; otherwise one error lists the ACL rules to add. */
  private static void checkPermissions(String where, String user, Jedis jedis) {
    List<String> missing = new ArrayList<>();
    for (Probe probe : NEEDED) {
      if (refusedByAcl(jedis, probe.command(), probe.args())) {
        missing.add(probe.rule());
      }
    }
    if (!missing.isEmpty()) {
      String rules = String.join(" ", missing);
      throw new RedisRefusedException(where + " does not allow user '" + user + "' " + missing.size()
          + " command(s) Redraft needs (NOPERM): " + rules + ". Add '" + rules + "' to that user's rule in the Redis"
          + " configuration (or its aclfile) and restart it, or run 'ACL SETUSER " + user + " " + rules
          + "' as an administrator");
    }
  }

  /**
   * Whether the user may also run CONFIG SET, which Redraft never needs. The probe names no real
   * parameter, so even an allowed call changes nothing.
   */
  static boolean broaderThanNeeded(Jedis jedis) {
    return !refusedByAcl(jedis, Protocol.Command.CONFIG, "SET", "redraft-preflight-probe", "0");
  }

  /** Runs a command whose effect does not matter; true if the ACL refused it (NOPERM). */
  private static boolean refusedByAcl(Jedis jedis, ProtocolCommand command, String... args) {
    try {
      jedis.sendCommand(command, args);
      return false;
    } catch (JedisAccessControlException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("NOPERM")) {
        return true;
      }
      throw e;
    } catch (JedisDataException e) {
      return false; // allowed, and refused for its arguments, as intended
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
