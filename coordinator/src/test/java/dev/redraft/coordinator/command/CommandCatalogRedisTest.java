package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
