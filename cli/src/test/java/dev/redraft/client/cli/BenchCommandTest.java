package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** {@code redraft bench}: argument checks, and one short run against a real redis-server. */
class BenchCommandTest {
  @TempDir
  Path dir;

  @Test
  void badArgumentsAreUsageErrors() {
    CliRunner cli = new CliRunner(dir);
    CliRunner.Result zeroClients = cli.run("--endpoints", "127.0.0.1:1", "bench", "--clients", "0");
    assertThat(zeroClients.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(zeroClients.err()).contains("--clients");

    CliRunner.Result badMix = cli.run("--endpoints", "127.0.0.1:1", "bench", "--mix", "flushall");
    assertThat(badMix.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badMix.err()).contains("unknown operation 'flushall'");

    CliRunner.Result nothing = cli.run("bench", "--no-redraft");
    assertThat(nothing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(nothing.err()).contains("--baseline");

    CliRunner.Result badBaseline = cli.run("bench", "--no-redraft", "--baseline", "raw=nowhere");
    assertThat(badBaseline.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badBaseline.err()).contains("HOST:PORT");
  }

  @Test
  void shortRunAgainstARealRedisReportsThroughputAndNoErrors() throws Exception {
    int port = freePort();
    Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    try {
      awaitPing(port);
      Path out = dir.resolve("results");
      CliRunner.Result result = new CliRunner(dir).run("bench", "--no-redraft", "--baseline",
          "redis-raw=127.0.0.1:" + port, "--clients", "1,4", "--duration", "1s", "--warmup", "0",
          "--mix", "set=2,get=1,incr=1,batch=1", "--keys", "100", "--out", out.toString(), "--no-progress");

      assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCodes.OK);
      assertThat(result.out()).contains("redis-raw").contains("Medians of 1 run");
      JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
      JsonArray points = json.getAsJsonArray("points");
      assertThat(points).hasSize(2);
      for (var element : points) {
        JsonObject point = element.getAsJsonObject();
        assertThat(point.get("ops_per_sec").getAsDouble()).isPositive();
        assertThat(point.get("errors").getAsLong()).isZero();
        assertThat(point.getAsJsonObject("by_operation").keySet()).containsExactlyInAnyOrder(
            "set", "get", "incr", "batch");
      }
      assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSize(1 + 2 * 5);
      assertThat(Files.readString(out.resolve("chart.svg"))).startsWith("<svg");

      // -o json: stdout is the results alone, as JSON; without a terminal, no \r progress lines anywhere.
      Path jsonOut = dir.resolve("results-json");
      CliRunner.Result asJson = new CliRunner(dir).run("bench", "--no-redraft", "--baseline",
          "redis-raw=127.0.0.1:" + port, "--clients", "2", "--duration", "1s", "--warmup", "0", "--prewarm", "0",
          "--keys", "100", "--out", jsonOut.toString(), "-o", "json");
      assertThat(asJson.exitCode()).as(asJson.out() + asJson.err()).isEqualTo(ExitCodes.OK);
      JsonObject printed = JsonParser.parseString(asJson.out()).getAsJsonObject();
      assertThat(printed.getAsJsonArray("points")).hasSize(1);
      assertThat(printed).isEqualTo(JsonParser.parseString(Files.readString(jsonOut.resolve("results.json"))));
      assertThat(asJson.out() + asJson.err()).doesNotContain("\r");
      assertThat(asJson.err()).contains("redis-raw");
    } finally {
      redis.destroy();
      if (!redis.waitFor(10, TimeUnit.SECONDS)) {
        redis.destroyForcibly();
      }
    }
  }

  private static void awaitPing(int port) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
      try (Jedis jedis = new Jedis("127.0.0.1", port, 1_000)) {
        jedis.ping();
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
