package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.testing.RedisServerProcess;
import dev.redraft.coordinator.testing.ClusterScriptAcl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/** The catalog against the command table of the real redis-server: arity, kind, and key positions. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CommandCatalogRedisTest {
  /** Redis calls them read-only, but Redraft logs them, with the reason in the catalog. */
  private static final Set<String> LOGGED_READS = Set.of("PFCOUNT");

  @TempDir
  static Path dir;
  static RedisServerProcess server;

  @BeforeAll
  static void startRedis() {
    server = RedisServerProcess.start(dir.resolve("redis"));
  }

  @AfterAll
  static void stopRedis() {
    server.stop();
  }

  @Test
  void everySupportedCommandHasASample() {
    assertThat(CommandSamples.LINES.keySet()).containsExactlyInAnyOrderElementsOf(
        CommandCatalog.supported().stream().map(CommandSpec::name).toList());
  }

  @Test
  void arityAndKindAreRedisOwn() {
    try (Jedis jedis = server.jedis()) {
      for (CommandSpec spec : CommandCatalog.supported()) {
        List<?> info = (List<?>) ((List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", spec.name())).get(0);
        long arity = (Long) info.get(1);
        assertThat(spec.minArity()).as(spec.name()).isEqualTo(Math.abs(arity));
        assertThat(spec.maxArity()).as(spec.name()).isEqualTo(arity < 0 ? -1 : arity);
        List<String> flags = ((List<?>) info.get(2)).stream().map(f -> text(f)).toList();
        CommandKind redisKind = flags.contains("write") ? CommandKind.WRITE : CommandKind.READ;
        if (LOGGED_READS.contains(spec.name())) {
          assertThat(spec.kind()).as(spec.name()).isEqualTo(CommandKind.WRITE);
        } else {
          assertThat(spec.kind()).as(spec.name() + " " + flags).isEqualTo(redisKind);
        }
      }
    }
  }

  @Test
  void keyPositionsAreTheKeysRedisFindsInEachSample() {
    try (Jedis jedis = server.jedis()) {
      for (String line : CommandSamples.LINES.values()) {
        ValidatedCommand cmd = Argv.validate(line);
        List<String> expected;
        try {
          List<String> argv = new ArrayList<>(List.of(line.split(" ")));
          argv.add(0, "GETKEYS");
          expected = ((List<?>) jedis.sendCommand(Protocol.Command.COMMAND, argv.toArray(String[]::new)))
              .stream().map(k -> text(k)).toList();
        } catch (JedisDataException noKeys) {
          expected = List.of();
        }
        assertThat(Argv.keys(cmd)).as(line).isEqualTo(expected);
      }
    }
  }

  /**
   * The ACL rule scripts/cluster.sh gives the coordinator's Redis user allows every command Redraft
   * sends: each catalog command (the scripts run them, and the ACL checks commands called from
   * scripts), each command of the Lua scripts, and those the coordinator sends itself. It refuses the
   * dangerous ones Redraft never sends. Redis' own ACL DRYRUN judges each line.
   */
  @Test
  void theCoordinatorsRedisUserMayRunWhatRedraftSendsAndNothingDangerous() throws Exception {
    List<String> needed = new ArrayList<>(CommandSamples.LINES.values());
    needed.addAll(List.of("PING", "AUTH redraft pw", "CLIENT SETNAME redraft-coordinator", "INFO server",
        "CONFIG GET maxmemory-policy", "DEBUG DIGEST", "FLUSHALL", "SCAN 0 COUNT 100", "DUMP k", "RESTORE k 0 payload",
        "EVALSHA 0000000000000000000000000000000000000000 0", "SCRIPT LOAD return", "DBSIZE", "HLEN h", "HGETALL h"));
    List<String> fromScripts = luaCalls();
    assertThat(fromScripts).as("commands called by the Lua scripts").contains("RESTORE")
        .contains("XINFO STREAM");
    try (Jedis jedis = server.jedis()) {
      for (String call : fromScripts) {
        needed.add(call + " x".repeat(Math.max(0, arity(jedis, call) - call.split(" ").length)));
      }
      ClusterScriptAcl.createUser(jedis, "redraft-acl-test", "pw", ClusterScriptAcl.coordinatorRule());
      ClusterScriptAcl.createUser(jedis, "reader-acl-test", "pw", ClusterScriptAcl.readerRule());
      try {
        for (String line : needed) {
          assertThat(dryRun(jedis, "redraft-acl-test", line)).as("ACL DRYRUN redraft %s", line).isEqualTo("OK");
        }
        for (String line : List.of("CONFIG SET maxmemory 1", "CONFIG REWRITE", "SHUTDOWN", "MODULE LIST",
            "MODULE LOAD /x.so", "ACL SETUSER x", "ACL LIST", "DEBUG SLEEP 0", "DEBUG RELOAD", "REPLICAOF no one",
            "MIGRATE h 1 k 0 1", "MONITOR", "SAVE", "BGSAVE", "FUNCTION LOAD x", "FUNCTION FLUSH", "CLIENT KILL 1.2.3.4:5",
            "PUBLISH c m", "SWAPDB 0 1")) {
          assertThat(dryRun(jedis, "redraft-acl-test", line)).as("ACL DRYRUN redraft %s", line)
              .startsWith("This user has no permissions");
        }
        assertThat(dryRun(jedis, "reader-acl-test", "GET k")).isEqualTo("OK");
        assertThat(dryRun(jedis, "reader-acl-test", "HGETALL h")).isEqualTo("OK");
        for (String line : List.of("SET k v", "DEL k", "FLUSHALL", "KEYS *", "CONFIG GET *", "EVAL x 0", "DEBUG DIGEST")) {
          assertThat(dryRun(jedis, "reader-acl-test", line)).as("ACL DRYRUN reader %s", line)
              .startsWith("This user has no permissions");
        }
      } finally {
        jedis.sendCommand(Protocol.Command.ACL, "DELUSER", "redraft-acl-test", "reader-acl-test");
      }
    }
  }

  /** Every distinct 'redis.call'/'redis.pcall' of the coordinator's Lua scripts: the command, and its subcommand. */
  private static List<String> luaCalls() throws IOException {
    Pattern call = Pattern.compile("redis\\.p?call\\('([A-Z]+)'(?:,\\s*'([A-Z]+)')?");
    Set<String> calls = new TreeSet<>();
    try (Stream<Path> scripts = Files.list(Path.of("src/main/resources/dev/redraft/coordinator/redis"))) {
      for (Path script : (Iterable<Path>) scripts.filter(p -> p.toString().endsWith(".lua"))::iterator) {
        Matcher m = call.matcher(Files.readString(script));
        while (m.find()) {
          calls.add(m.group(2) != null && m.group(1).equals("XINFO") ? m.group(1) + " " + m.group(2) : m.group(1));
        }
      }
    }
    assertThat(calls).as("Lua calls found").hasSizeGreaterThan(10);
    return new ArrayList<>(calls);
  }

  /** The fewest arguments (the name included) Redis accepts for a command or "COMMAND SUBCOMMAND". */
  private static int arity(Jedis jedis, String call) {
    String name = call.toLowerCase(java.util.Locale.ROOT).replace(' ', '|');
    List<?> info = (List<?>) ((List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", name)).get(0);
    assertThat(info).as("COMMAND INFO %s", name).isNotNull();
    return (int) Math.abs((Long) info.get(1));
  }

  private static String dryRun(Jedis jedis, String user, String line) {
    List<String> args = new ArrayList<>(List.of("DRYRUN", user));
    args.addAll(List.of(line.split(" ")));
    try {
      return text(jedis.sendCommand(Protocol.Command.ACL, args.toArray(String[]::new)));
    } catch (JedisDataException e) {
      return "error: " + e.getMessage();
    }
  }

  /** Lines the validator refuses before the log: Redis refuses each with the same message. */
  @Test
  void refusalsBeforeTheLogAreRedisOwnErrors() {
    List<String> lines = List.of("LMPOP 0 l LEFT", "LMPOP x l LEFT", "LMPOP 2 l LEFT", "LMPOP 1 l UP",
        "LMPOP 1 l LEFT COUNT 0", "LMPOP 1 l LEFT COUNT", "LMPOP 1 l LEFT COUNT 1 COUNT 1", "ZMPOP 1 z LEFT",
        "SINTERCARD 0 s", "SINTERCARD x s", "SINTERCARD 3 s t", "ZUNIONSTORE d 0 z", "ZUNIONSTORE d 3 z y",
        "ZUNIONSTORE d x z", "ZUNION x z", "ZDIFF 0 z", "ZINTERCARD 0 z", "ZINTERCARD 2 z", "SETEX k 0 v",
        "SETEX k x v", "PSETEX k -1 v", "SETEX k 9223372036854776 v", "GETEX k PERSIST EX 10",
        "GETEX k EX 10 PERSIST", "GETEX k NX", "GETEX k EX", "GETEX k PX 10 EX 10", "HMSET h f v g",
        "MSETNX a 1 b", "FLUSHDB x", "FLUSHALL ASYNC SYNC", "XREAD STREAMS a", "XREAD COUNT x STREAMS a 0",
        "XREAD STREAMS", "COPY a b X", "OBJECT ENCODING a b");
    try (Jedis jedis = server.jedis()) {
      for (String line : lines) {
        String ours = catchMessage(() -> Argv.validate(line));
        String redis = catchMessage(() -> jedis.sendCommand(() -> Argv.name(line).getBytes(StandardCharsets.UTF_8),
            line.substring(line.indexOf(' ') + 1).split(" ")));
        assertThat(ours).as(line).isNotNull().isEqualTo(redis);
      }
    }
  }

  private static String catchMessage(Runnable call) {
    try {
      call.run();
      return null;
    } catch (InvalidCommandException | JedisDataException e) {
      return e.getMessage();
    }
  }

  private static String text(Object reply) {
    return new String((byte[]) reply, StandardCharsets.UTF_8);
  }
}
