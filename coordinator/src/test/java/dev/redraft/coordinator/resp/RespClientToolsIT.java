package dev.redraft.coordinator.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.testing.TestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis' own tools and Python's client, unchanged, against the RESP port of a real cluster:
 * redis-cli one-shot, fed on stdin and interactive on a pseudo-terminal; redis-benchmark with and
 * without pipelining, its INCR and LPUSH counts checked afterwards (none lost, none applied twice);
 * Python's redis doing a script of each data type, a pipeline and a transaction.
 */
class RespClientToolsIT {
  @TempDir
  static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(3, dir.resolve("cluster"), Map.of("resp-password", RespPortIT.PASSWORD));
    RespPortIT.cluster = cluster;
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void redisCliOneShotAndFromStdin() throws Exception {
    int port = cluster.respPort(0);
    assertThat(run(null, "redis-cli", "-p", Integer.toString(port), "set", "cli:k", "v1")).isEqualTo("OK\n");
    assertThat(run(null, "redis-cli", "-p", Integer.toString(cluster.respPort(2)), "get", "cli:k")).isEqualTo("v1\n");
    String out = run("incr cli:n\nincr cli:n\nlpush cli:l a b\nlrange cli:l 0 -1\nget cli:n\n",
        "redis-cli", "-p", Integer.toString(port));
    assertThat(out).isEqualTo("1\n2\n2\nb\na\n2\n");
  }

  @Test
  void redisCliInteractiveOnATerminal() throws Exception {
    int port = cluster.respPort(1);
    // script(1) gives redis-cli a pseudo-terminal, so it runs its prompt as for a person.
    String out = run("set tty:k hello\nget tty:k\nhgetall tty:none\nquit\n", "script", "-qec",
        "redis-cli -p " + port, "/dev/null");
    assertThat(out).contains("127.0.0.1:" + port + ">").contains("OK").contains("\"hello\"")
        .contains("(empty array)");
  }

  @Test
  void redisBenchmarkWithAndWithoutPipelining() throws Exception {
    int port = cluster.respPort(cluster.aFollower());
    // A multiple of -P 16: redis-benchmark sends whole pipelines, so 1000 would send 1008 (Redis too).
    int requests = 960;
    for (String pipeline : List.of("1", "16")) {
      // redis-benchmark takes a password only as -a (a throw-away test password).
      String out = run(null, "redis-benchmark", "-p", Integer.toString(port), "-a", RespPortIT.PASSWORD,
          "-t", "set,get,incr,lpush",
          "-n", Integer.toString(requests), "-c", "10", "-P", pipeline, "--csv");
      assertThat(out).contains("\"SET\"", "\"GET\"", "\"INCR\"", "\"LPUSH\"");
    }
    try (Jedis jedis = RespPortIT.jedis(0)) {
      // Each run sent exactly `requests` INCRs of one key and LPUSHes of one list.
      assertThat(jedis.get("counter:__rand_int__")).isEqualTo(Integer.toString(2 * requests));
      assertThat(jedis.llen("mylist")).isEqualTo(2L * requests);
    }
  }

  /**
   * Many pipelined connections through a follower: every forwarded write is answered, each INCR applied
   * once. (The scenario in which a follower's forwarding once deadlocked for good - two Ratis clients'
   * reply threads each sending the next group of writes through the other's client while holding their
   * own client's lock - seen with scripts/bench.sh on separate processes; it did not recur in this
   * in-JVM cluster in a few runs, so this test guards the scenario, not that interleaving.)
   */
  @Test
  void manyPipelinedConnectionsThroughAFollowerAreAllAnswered() throws Exception {
    int port = cluster.respPort(cluster.aFollower());
    int requests = 16_000;
    // timeout(1) bounds a hang: redis-benchmark waits for its replies for ever.
    String out = run(null, "timeout", "120", "redis-benchmark", "-p", Integer.toString(port), "-a",
        RespPortIT.PASSWORD, "-n", Integer.toString(requests), "-c", "50", "-P", "16", "--csv",
        "incr", "follower:counter");
    assertThat(out).contains("incr follower:counter");
    try (Jedis jedis = RespPortIT.jedis(0)) {
      assertThat(jedis.get("follower:counter")).as("INCRs applied").isEqualTo(Integer.toString(requests));
    }
  }

  @Test
  void pythonRedisClient() throws Exception {
    Path script = dir.resolve("python_client.py");
    try (var in = RespClientToolsIT.class.getResourceAsStream("python_client.py")) {
      Files.copy(in, script);
    }
    String out = run(null, "/usr/bin/python3", script.toString(), Integer.toString(cluster.respPort(2)),
        RespPortIT.PASSWORD);
    assertThat(out).isEqualTo("ok\n");
  }

  /**
   * Cluster-aware clients: CLUSTER SLOTS names the leader's port for cluster-aware clients for every slot
   * (the followers as its replicas); there a follower answers -MOVED to the leader, which redis-cli -c
   * follows; the plain port routes every key.
   */
  @Test
  void clusterAwareClients() throws Exception {
    Path script = dir.resolve("python_cluster_client.py");
    try (var in = RespClientToolsIT.class.getResourceAsStream("python_cluster_client.py")) {
      Files.copy(in, script);
    }
    int leader = cluster.awaitLeader();
    String leaderId = run(null, "redis-cli", "-p", Integer.toString(cluster.respPort(leader)), "cluster", "myid").trim();
    // Once every node knows the leader and the addresses it published through the log:
    for (int node = 0; node < 3; node++) {
      String nodePort = Integer.toString(cluster.respPort(node));
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
          assertThat(run(null, "redis-cli", "-p", nodePort, "cluster", "slots"))
              .startsWith("0\n16383\n127.0.0.1\n" + cluster.respClusterPort(leader) + "\n" + leaderId + "\n"));
    }
    String out = run(null, "/usr/bin/python3", script.toString(), Integer.toString(cluster.respPort(1)),
        RespPortIT.PASSWORD, Integer.toString(cluster.respClusterPort(leader)));
    assertThat(out).isEqualTo("ok\n");
    int port = cluster.respPort(0);
    assertThat(run("set cli:c cluster-mode\nget cli:c\ncluster keyslot 123456789\ncluster keyslot {a}b\n"
        + "cluster keyslot a\n", "redis-cli", "-c", "-p", Integer.toString(port)))
        .isEqualTo("OK\ncluster-mode\n12739\n15495\n15495\n");
    String myId = run(null, "redis-cli", "-p", Integer.toString(port), "cluster", "myid").trim();
    assertThat(myId).matches("[0-9a-f]{40}");

    int follower = (leader + 1) % 3;
    String followerPort = Integer.toString(cluster.respClusterPort(follower));
    int slot = dev.redraft.api.KeySlot.of("cli:moved".getBytes(StandardCharsets.UTF_8));
    assertThat(run(null, "redis-cli", "-p", followerPort, "set", "cli:moved", "m")).as("redis-cli without -c")
        .startsWith("MOVED " + slot + " 127.0.0.1:"
            + cluster.respClusterPort(leader) + "\n"); // and an empty line, as redis-cli prints an error
    assertThat(run("set cli:moved m2\nget cli:moved\n", "redis-cli", "-c", "-p", followerPort))
        .as("redis-cli -c follows the MOVED to the leader").isEqualTo("-> Redirected to slot [" + slot
            + "] located at 127.0.0.1:" + cluster.respClusterPort(leader) + "\nOK\nm2\n");
  }

  /** Runs a tool with the RESP password in its environment (never on its command line); fails unless it exits 0. */
  private static String run(String stdin, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
    builder.environment().put("REDISCLI_AUTH", RespPortIT.PASSWORD);
    builder.environment().put("TERM", "dumb");
    Process process = builder.start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("exit code of %s; output:%n%s", String.join(" ", command), out).isZero();
    return out;
  }
}
