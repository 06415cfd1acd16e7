package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.testing.Processes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * A local cluster's life with scripts/cluster.sh, as an operator lives it (issue 12): stop then
 * start keeps ids, ports, data and logs; a failed start stops what it started; one node is stopped,
 * started and restarted alone and catches up; a dead coordinator is started again by 'start';
 * remove-node retires a node that 'redraft member remove' already removed, and may be repeated. Real
 * processes only, run from another directory than the repository.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClusterLifecycleScriptsIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String CLUSTER = REPO.resolve("scripts/cluster.sh").toString();
  private static final String REDRAFT = REPO.resolve("scripts/redraft").toString();
  private static final Duration CATCH_UP = Duration.ofSeconds(90);

  @TempDir
  Path home;

  @TempDir
  Path elsewhere;

  /** Every process the scripts started for this test, read from the pid files after each step. */
  private final Set<Long> seenPids = new HashSet<>();

  @AfterEach
  void stopEverything() throws Exception {
    run(CLUSTER, "stop");
    // Anything the scripts started and did not stop (e.g. a removed node left running): by PID only,
    // and only if it still is a redis-server or a java process.
    for (long pid : seenPids) {
      ProcessHandle.of(pid)
          .filter(p -> p.info().command().map(c -> c.contains("redis") || c.contains("java")).orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void stopThenStartKeepsPortsDataAndLogs() throws Exception {
    ok(run(CLUSTER, "start", "--nodes", "3"), "cluster.sh start");
    List<String> endpoints = lines("endpoints");
    List<String> httpEndpoints = lines("http-endpoints");
    List<String> respEndpoints = lines("resp-endpoints");
    List<String> respClusterEndpoints = lines("resp-cluster-endpoints");
    assertThat(endpoints).hasSize(3);
    assertThat(respEndpoints).hasSize(3);
    assertThat(respClusterEndpoints).hasSize(3).doesNotContainAnyElementsOf(respEndpoints);
    Map<String, Long> firstPids = pids();
    ok(run(REDRAFT, "set", "kept", "before-stop"), "redraft set");
    ok(run(REDRAFT, "incr", "counter"), "redraft incr");

    Result stopped = ok(run(CLUSTER, "stop"), "cluster.sh stop");
    assertThat(stopped.output()).contains("Stopped 3 node(s)");
    firstPids.values().forEach(pid -> assertThat(alive(pid)).as("pid %d after stop", pid).isFalse());
    String firstRunLog = Files.readString(home.resolve("n1/coordinator.log"));
    assertThat(firstRunLog).contains("node n1 serving");

    // A start that fails (no coordinator JVM can start) stops exactly what it started and says why.
    Result failed = run(Map.of("REDRAFT_JAVA_OPTS", "-Xmx1k"), CLUSTER, "start");
    assertThat(failed.exitCode()).as("start with coordinators that cannot start:%n%s", failed.output()).isNotZero();
    assertThat(failed.output()).contains("exited").contains("coordinator.log");
    assertThat(pidFiles()).as("pid files after a failed start").isEmpty();
    for (String port : recordedPorts()) {
      assertThat(listening(port)).as("port %s after a failed start:%n%s", port, failed.output()).isFalse();
    }

    // n1 as a directory made before Redis ACL users existed: requirepass, no reader password. Its next
    // start gives it the users, with the same password now the coordinator's user's.
    Path n1Conf = home.resolve("n1/redis.conf");
    String n1Password = Files.readString(home.resolve("n1/redis.password")).trim();
    Files.writeString(n1Conf, Files.readString(n1Conf).replaceAll("(?m)^user .*\n", "")
        + "requirepass " + n1Password + "\n");
    Files.delete(home.resolve("n1/redis-reader.password"));

    Result restarted = ok(run(CLUSTER, "start"), "cluster.sh start on the stopped cluster");
    assertThat(Files.readString(n1Conf)).as("n1's redis.conf after the start").contains("user default off")
        .contains("user redraft on #").doesNotContain("requirepass").doesNotContain(n1Password);
    assertThat(home.resolve("n1/redis-reader.password")).exists();
    assertThat(Files.readString(home.resolve("n1/redis.password")).trim()).isEqualTo(n1Password);
    assertThat(lines("endpoints")).as("endpoints after a restart").isEqualTo(endpoints);
    assertThat(lines("http-endpoints")).as("http-endpoints after a restart").isEqualTo(httpEndpoints);
    assertThat(restarted.output()).contains(String.join(",", endpoints));
    Map<String, Long> secondPids = pids();
    assertThat(secondPids.keySet()).isEqualTo(firstPids.keySet());
    secondPids.values().forEach(pid -> assertThat(alive(pid)).as("pid %d after start", pid).isTrue());

    assertThat(lines("resp-endpoints")).as("resp-endpoints after a restart").isEqualTo(respEndpoints);
    assertThat(lines("resp-cluster-endpoints")).as("resp-cluster-endpoints after a restart").isEqualTo(respClusterEndpoints);
    // Any Redis client reads the same data through a node's RESP port, with the cluster's password.
    Map<String, String> auth = Map.of("REDISCLI_AUTH", Files.readString(home.resolve("resp.password")).trim());
    String respPort = respEndpoints.get(2).substring(respEndpoints.get(2).lastIndexOf(':') + 1);
    assertThat(ok(run(auth, "redis-cli", "-p", respPort, "get", "kept"), "redis-cli get").output().trim())
        .isEqualTo("before-stop");
    assertThat(ok(run(CLUSTER, "status"), "cluster.sh status").output())
        .contains("Redis protocol (RESP) ports").contains(respEndpoints.get(0));

    Result read = ok(run(REDRAFT, "get", "kept"), "redraft get after the restart");
    assertThat(read.output().trim()).isEqualTo("before-stop");
    Result incr = ok(run(REDRAFT, "incr", "counter"), "redraft incr after the restart");
    assertThat(incr.output().trim()).as("INCR applied once before the restart, once after").isEqualTo("(integer) 2");

    String log = Files.readString(home.resolve("n1/coordinator.log"));
    assertThat(log).as("n1's log keeps the previous runs' lines").startsWith(firstRunLog);
    assertThat(log.substring(firstRunLog.length())).contains("node n1 serving");
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void oneNodeIsStoppedStartedRestartedAloneAndRemoved() throws Exception {
    ok(run(CLUSTER, "start", "--nodes", "3"), "cluster.sh start");
    List<String> endpoints = lines("endpoints");
    String n2 = endpoints.get(1);
    Map<String, Long> before = pids();

    Result stopped = ok(run(CLUSTER, "stop-node", "n2"), "cluster.sh stop-node n2");
    assertThat(stopped.output()).contains("Stopped n2");
    assertThat(alive(before.get("n2/coordinator.pid"))).isFalse();
    assertThat(alive(before.get("n2/redis.pid"))).isFalse();
    assertThat(alive(before.get("n1/coordinator.pid"))).isTrue();
    assertThat(alive(before.get("n3/redis.pid"))).isTrue();
    assertThat(ok(run(CLUSTER, "stop-node", "n2"), "stop-node n2 again").output()).contains("n2 is not running");

    // Like 'etcdctl endpoint health': the table shows n2 unreachable, and the exit code says so.
    Result status = run(CLUSTER, "status");
    assertThat(status.exitCode()).as("cluster.sh status with n2 stopped:%n%s", status.output()).isEqualTo(1);
    assertThat(status.output()).contains("LEADER").contains("UNREACHABLE").contains("n2 (unreachable)")
        .doesNotContain("\tat ").doesNotContain("Caused by");

    ok(run(REDRAFT, "set", "while-n2-was-down", "written"), "redraft set while n2 is down");
    Result started = ok(run(CLUSTER, "start-node", "n2"), "cluster.sh start-node n2");
    assertThat(started.output()).contains("Started n2");
    assertThat(lines("endpoints")).isEqualTo(endpoints);
    awaitStaleRead(n2, "while-n2-was-down", "written");
    Result again = ok(run(CLUSTER, "start-node", "n2"), "start-node n2 while it runs");
    assertThat(again.output()).contains("n2 is already running");

    Map<String, Long> beforeRestart = pids();
    Result restarted = ok(run(CLUSTER, "restart-node", "n2"), "cluster.sh restart-node n2");
    assertThat(restarted.output()).contains("Stopped n2").contains("Started n2");
    Map<String, Long> afterRestart = pids();
    assertThat(alive(beforeRestart.get("n2/coordinator.pid"))).isFalse();
    assertThat(afterRestart.get("n2/coordinator.pid")).isNotEqualTo(beforeRestart.get("n2/coordinator.pid"));
    assertThat(alive(afterRestart.get("n2/coordinator.pid"))).isTrue();
    assertThat(afterRestart.get("n1/coordinator.pid")).isEqualTo(beforeRestart.get("n1/coordinator.pid"));
    ok(run(REDRAFT, "--endpoints", n2, "set", "through-n2", "after-restart"), "redraft set through n2");
    assertThat(ok(run(REDRAFT, "get", "through-n2"), "redraft get").output().trim()).isEqualTo("after-restart");

    // A coordinator that died: 'start' starts it again and leaves the running nodes alone.
    long n3 = afterRestart.get("n3/coordinator.pid");
    ProcessHandle.of(n3).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(n3));
    ok(run(REDRAFT, "set", "while-n3-was-dead", "written"), "redraft set while n3 is dead");
    Result start = ok(run(CLUSTER, "start"), "cluster.sh start with n3's coordinator dead");
    assertThat(start.output()).contains("Already running: n1 n2");
    Map<String, Long> afterStart = pids();
    assertThat(afterStart.get("n1/coordinator.pid")).isEqualTo(afterRestart.get("n1/coordinator.pid"));
    assertThat(afterStart.get("n3/redis.pid")).isEqualTo(afterRestart.get("n3/redis.pid"));
    assertThat(alive(afterStart.get("n3/coordinator.pid"))).isTrue();
    awaitStaleRead(endpoints.get(2), "while-n3-was-dead", "written");

    Result unknown = run(CLUSTER, "start-node", "n9");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.output()).contains("no node 'n9'").contains("n1 n2 n3");
    Result missing = run(CLUSTER, "restart-node");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.output()).contains("give exactly one node id");

    // remove-node retires a node that 'redraft member remove' already removed, and may be repeated.
    String n3Api = lines("endpoints").get(2);
    Map<String, Long> pids = pids();
    ok(run(REDRAFT, "member", "remove", "n3"), "redraft member remove n3");
    Result removed = ok(run(CLUSTER, "remove-node", "n3"), "cluster.sh remove-node n3 after 'member remove n3'");
    assertThat(removed.output()).contains("Removed n3");
    assertThat(alive(pids.get("n3/coordinator.pid"))).as("n3's coordinator").isFalse();
    assertThat(alive(pids.get("n3/redis.pid"))).as("n3's Redis").isFalse();
    assertThat(lines("endpoints")).hasSize(2).doesNotContain(n3Api);
    assertThat(lines("http-endpoints")).hasSize(2).noneMatch(line -> line.startsWith("n3 "));
    assertThat(home.resolve("n3")).doesNotExist();
    assertThat(home.resolve("removed/n3/coordinator.log")).exists();
    Result twice = ok(run(CLUSTER, "remove-node", "n3"), "cluster.sh remove-node n3 again");
    assertThat(twice.output()).contains("already removed");
    assertThat(lines("endpoints")).hasSize(2);
    ok(run(REDRAFT, "set", "two-left", "yes"), "redraft set with two members");
    assertThat(ok(run(REDRAFT, "get", "two-left"), "redraft get").output().trim()).isEqualTo("yes");
    Result unknownRemoval = run(CLUSTER, "remove-node", "n7");
    assertThat(unknownRemoval.exitCode()).isNotZero();
    assertThat(unknownRemoval.output()).contains("no node 'n7'");
  }

  /**
   * Issue 15, secrets and files: whatever the caller's umask, everything a local cluster writes (Raft
   * logs, snapshots, AOF files, logs, passwords, configs) is owner-only, and no Redis password shows
   * on any process' command line or in any log.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everythingTheClusterWritesIsOwnerOnlyAndNoPasswordIsOnACommandLineOrInALog() throws Exception {
    // redis-cli as the scripts find it on the PATH: the real one, behind a wrapper that records its arguments.
    Path bin = Files.createDirectories(elsewhere.resolve("bin"));
    Path argvLog = elsewhere.resolve("redis-cli-argv.log");
    String realRedisCli = Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "redis-cli"))
        .filter(Files::isExecutable).findFirst().orElseThrow().toString();
    Path wrapper = bin.resolve("redis-cli");
    Files.writeString(wrapper, "#!/bin/sh\necho \"$*\" >> '" + argvLog + "'\nexec '" + realRedisCli + "' \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    ok(run(Map.of("PATH", bin + ":" + System.getenv("PATH")), "bash", "-c", "umask 022 && exec \"$0\" start --nodes 3",
        CLUSTER), "cluster.sh start under umask 022");
    for (int i = 0; i < 20; i++) {
      ok(run(REDRAFT, "set", "secret-" + i, "value-" + i), "redraft set");
    }
    ok(run(REDRAFT, "snapshot"), "redraft snapshot (so snapshot files exist)");

    List<String> wide = new java.util.ArrayList<>();
    int checked = 0;
    try (Stream<Path> paths = Files.walk(home)) {
      for (Path path : (Iterable<Path>) paths.filter(p -> !p.equals(home))::iterator) {
        Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(path,
            java.nio.file.LinkOption.NOFOLLOW_LINKS);
        checked++;
        if (mode.stream().anyMatch(bit -> bit.name().startsWith("GROUP") || bit.name().startsWith("OTHERS"))) {
          wide.add(home.relativize(path) + " " + java.nio.file.attribute.PosixFilePermissions.toString(mode));
        }
      }
    }
    assertThat(checked).as("files and directories checked").isGreaterThan(30);
    assertThat(wide).as("files or directories readable by others than their owner").isEmpty();
    try (Stream<Path> files = Files.walk(home)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("the checked files include Raft logs, a snapshot and AOF files")
          .anyMatch(name -> name.startsWith("log_")).anyMatch(name -> name.startsWith("snapshot."))
          .anyMatch(name -> name.contains(".aof"));
    }

    List<String> passwords = new java.util.ArrayList<>();
    for (String node : List.of("n1", "n2", "n3")) {
      passwords.add(Files.readString(home.resolve(node + "/redis.password")).trim());
      passwords.add(Files.readString(home.resolve(node + "/redis-reader.password")).trim());
    }
    passwords.add(Files.readString(home.resolve("resp.password")).trim());
    assertThat(passwords).allMatch(p -> p.length() >= 16);
    assertThat(new HashSet<>(passwords)).as("every password is its own").hasSameSizeAs(passwords);
    for (String node : List.of("n1", "n2", "n3")) {
      String conf = Files.readString(home.resolve(node + "/redis.conf"));
      assertThat(conf).as("%s/redis.conf", node).contains("user default off").doesNotContain("requirepass");
      for (String password : passwords) {
        assertThat(conf).as("%s/redis.conf names passwords by their hash only", node).doesNotContain(password);
      }
    }
    assertRedisIsLockedDown();

    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
        String commandLine;
        try {
          commandLine = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException gone) {
          continue; // the process ended meanwhile
        }
        for (String password : passwords) {
          assertThat(commandLine).as("command line of process %s", proc.getFileName()).doesNotContain(password);
        }
      }
    }
    String redisCliCalls = Files.readString(argvLog);
    assertThat(redisCliCalls).as("redis-cli calls of cluster.sh start").contains("ping").contains("--user redraft");
    for (String password : passwords) {
      assertThat(redisCliCalls).as("redis-cli arguments").doesNotContain(password);
    }
    try (Stream<Path> logs = Files.walk(home)) {
      for (Path log : (Iterable<Path>) logs.filter(p -> p.toString().endsWith(".log"))::iterator) {
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        for (String password : passwords) {
          assertThat(text).as("log %s", home.relativize(log)).doesNotContain(password);
        }
      }
    }
  }

  /**
   * Issue 15, Redis lock-down: the coordinators work through their Redis user 'redraft' (writes, reads,
   * a snapshot, a verification round with DEBUG DIGEST), which Redis refuses the commands that could
   * reconfigure, stop or extend it; the default user is off; 'reader' reads a replicated key from a
   * follower's Redis and may not write.
   */
  /**
   * start --groups (issue 16): a Redis per group on every node, keys spread over the groups' Redis and
   * replicated to each node's, a request across groups refused, a node added to every group and removed
   * from them all, slots moved with redraft slots move, and stop stopping every process; the group count of
   * an existing cluster cannot be changed by a start.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aShardedClusterRunsARedisPerGroupOnEveryNodeGrowsAndStopsThemAll() throws Exception {
    assertThat(ok(run(CLUSTER, "start", "--nodes", "3", "--groups", "2"), "cluster.sh start --groups 2").output())
        .contains("3 nodes x 2 Raft groups is up");
    assertThat(pids()).as("pid files: a coordinator and 2 Redis per node").hasSize(9);
    List<String> n2 = Files.readAllLines(home.resolve("n2/node.env"));
    List<Integer> n2RedisPorts = new java.util.ArrayList<>();
    for (String line : n2) {
      if (line.startsWith("REDIS=")) {
        n2RedisPorts.add(0, Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)));
      } else if (line.startsWith("GROUP_REDIS=")) {
        for (String address : line.substring("GROUP_REDIS=".length()).split(",")) {
          n2RedisPorts.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        }
      }
    }
    assertThat(n2RedisPorts).hasSize(2);

    Map<String, String> auth = Map.of("REDISCLI_AUTH", Files.readString(home.resolve("resp.password")).trim());
    String resp = lines("resp-endpoints").get(0);
    String respPort = resp.substring(resp.lastIndexOf(':') + 1);
    for (int i = 0; i < 30; i++) {
      assertThat(setRetryingTryAgain(auth, respPort, "key:" + i, "v" + i)).contains("OK");
    }
    assertThat(run(auth, "redis-cli", "-p", respPort, "mset", "key:0", "a", "key:1", "b", "key:2", "c").output())
        .contains("CROSSSLOT");
    // The slot layout: two even ranges, each group's leader with the addresses clients reach it by.
    assertThat(ok(run(REDRAFT, "cluster", "slots"), "redraft cluster slots").output())
        .contains("LEADER RESP").contains("0-8191").contains("8192-16383");
    String layout = ok(run(REDRAFT, "cluster", "slots", "-o", "json"), "redraft cluster slots -o json").output();
    assertThat(layout).contains("\"group\": 1").contains("{\"first\": 8192, \"last\": 16383}")
        .contains("\"leader\": true").contains("\"resp_address\": \"" + resp + "\"");
    String password = Files.readString(home.resolve("n2/redis.password")).trim();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      long total = 0;
      for (int port : n2RedisPorts) {
        try (Jedis redis = redis(port, "redraft", password)) {
          long keys = redis.keys("key:*").size();
          assertThat(keys).as("keys in n2's Redis on port %d", port).isPositive();
          total += keys;
        }
      }
      assertThat(total).as("every key once, in its group's Redis").isEqualTo(30);
    });

    // A group added while the cluster serves: every node restarted in turn with a Redis for it, then the
    // slots balanced (the new group takes a third, from the highest slots of each).
    assertThat(ok(run(CLUSTER, "add-group"), "cluster.sh add-group").output())
        .contains("n3 is back with 3 groups", "moving 5461 slots in 6 moves", "to group 2: move");
    assertThat(home.resolve("n2/group2/redis.conf")).exists();
    assertThat(ok(run(REDRAFT, "cluster", "slots"), "redraft cluster slots").output())
        .contains("0-5461").contains("8192-13652").contains("5462-8191,13653-16383");
    Map<String, Long> started = pids();
    assertThat(started).as("pid files: a coordinator and 3 Redis per node").hasSize(12);

    // A node added joins every group (with a Redis per group), and a removed one leaves them all.
    assertThat(ok(run(CLUSTER, "add-node"), "cluster.sh add-node").output()).contains("Added n4");
    assertThat(lines("resp-cluster-endpoints")).hasSize(4);
    assertThat(home.resolve("n4/group2/redis.conf")).exists();
    assertThat(Files.readString(home.resolve("n4/data/groups")).trim()).as("the slots stay split over 2 groups")
        .isEqualTo("2");
    assertThat(ok(run(REDRAFT, "cluster", "status", "--group", "2"), "cluster status --group 2").output())
        .contains("n4");
    // Slots moved from the command line, while the node is there.
    assertThat(ok(run(REDRAFT, "slots", "move", "0-99", "2"), "redraft slots move 0-99 2").output())
        .contains("MAP VERSION");
    assertThat(ok(run(REDRAFT, "cluster", "slots"), "redraft cluster slots").output())
        .contains("0-99,5462-8191,13653-16383");
    ok(run(CLUSTER, "remove-node", "n4"), "cluster.sh remove-node n4");
    assertThat(ok(run(REDRAFT, "cluster", "status", "--group", "2"), "cluster status --group 2").output())
        .doesNotContain("n4");
    assertThat(lines("resp-cluster-endpoints")).hasSize(3);
    String clusterPort = lines("resp-cluster-endpoints").get(0).replaceFirst(".*:", "");
    for (int i = 0; i < 30; i++) {
      assertThat(run(auth, "redis-cli", "-p", respPort, "get", "key:" + i).output()).as("key:%d after the move", i)
          .contains("v" + i);
      if (i % 3 == 0) {
        // A cluster-aware client on the cluster ports: -MOVED to each key's group's leader, followed.
        assertThat(run(auth, "redis-cli", "-c", "-p", clusterPort, "get", "key:" + i).output())
            .as("key:%d through n1's cluster port", i).endsWith("v" + i + "\n");
      }
    }
    assertThat(ok(run(CLUSTER, "redis-cli", "--cluster", "--node", "n3", "get", "key:7"), "cluster.sh redis-cli --cluster")
        .output()).endsWith("v7\n");

    ok(run(CLUSTER, "stop"), "cluster.sh stop");
    started.values().forEach(pid -> assertThat(alive(pid)).as("pid %d after stop", pid).isFalse());
    Result regroup = run(CLUSTER, "start", "--groups", "2");
    assertThat(regroup.exitCode()).isNotZero();
    assertThat(regroup.output()).contains("holds a cluster of 3 group(s)");
    assertThat(pidFiles()).as("nothing started by the refused start").isEmpty();
  }

  /**
   * redis-cli SET, sent again on TRYAGAIN as a Redis Cluster client does: right after a start, a group's
   * leader may be handing leadership to the group's preferred node (its writes then answer TRYAGAIN).
   */
  private String setRetryingTryAgain(Map<String, String> auth, String port, String key, String value)
      throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> output = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
      output.set(ok(run(auth, "redis-cli", "-p", port, "set", key, value), "redis-cli set").output());
      return !output.get().startsWith("TRYAGAIN");
    });
    return output.get();
  }

  private void assertRedisIsLockedDown() throws Exception {
    Result verify = ok(run(REDRAFT, "verify"), "redraft verify (DEBUG DIGEST through the 'redraft' user)");
    assertThat(verify.output()).contains("CONSISTENT");
    int n1 = redisPort("n1");
    try (Jedis coordinatorUser = redis(n1, "redraft", Files.readString(home.resolve("n1/redis.password")).trim())) {
      assertThat(coordinatorUser.get("secret-0")).as("the coordinator's user reads the data").isEqualTo("value-0");
      for (List<String> refused : List.of(List.of("CONFIG", "SET", "maxmemory", "1"), List.of("SHUTDOWN", "NOSAVE"),
          List.of("MODULE", "LIST"), List.of("ACL", "SETUSER", "intruder", "on", "+@all"), List.of("DEBUG", "SLEEP", "0"),
          List.of("REPLICAOF", "127.0.0.1", "1"), List.of("CONFIG", "REWRITE"), List.of("MONITOR"))) {
        assertThatThrownBy(() -> coordinatorUser.sendCommand(() -> refused.get(0).getBytes(StandardCharsets.UTF_8),
            refused.subList(1, refused.size()).toArray(String[]::new)))
            .as("%s as the coordinator's user", refused).isInstanceOf(JedisAccessControlException.class)
            .hasMessageStartingWith("NOPERM");
      }
    }
    try (Jedis noUser = redis(n1, null, null)) {
      assertThatThrownBy(() -> noUser.get("secret-0")).as("GET without logging in").hasMessageStartingWith("NOAUTH");
    }
    assertThatThrownBy(() -> redis(n1, null, Files.readString(home.resolve("n1/redis.password")).trim()).ping())
        .as("the default user, with the coordinator's password").hasStackTraceContaining("WRONGPASS");
    // A follower's Redis has the key once it applied the write: a stale read straight from Redis.
    String reader = Files.readString(home.resolve("n2/redis-reader.password")).trim();
    try (Jedis readOnly = redis(redisPort("n2"), "reader", reader)) {
      await().atMost(CATCH_UP).untilAsserted(() -> assertThat(readOnly.get("secret-19")).isEqualTo("value-19"));
      assertThatThrownBy(() -> readOnly.set("secret-0", "changed")).as("SET as 'reader'").hasMessageStartingWith("NOPERM");
      assertThatThrownBy(() -> readOnly.configGet("requirepass")).as("CONFIG GET as 'reader'")
          .hasMessageStartingWith("NOPERM");
    }
    for (String node : List.of("n1", "n2", "n3")) {
      assertThat(Files.readString(home.resolve(node + "/coordinator.log"))).as("%s/coordinator.log", node)
          .doesNotContain("may run CONFIG SET").doesNotContain("refuses user");
    }
  }

  private int redisPort(String node) throws IOException {
    return Files.readAllLines(home.resolve(node + "/node.env")).stream().filter(l -> l.startsWith("REDIS="))
        .map(l -> Integer.parseInt(l.substring(l.lastIndexOf(':') + 1))).findFirst().orElseThrow();
  }

  /** A connection to a node's Redis as USER (null: no user name) with PASSWORD (null: no AUTH). */
  private static Jedis redis(int port, String user, String password) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(5_000)
        .autoNegotiateProtocol(false);
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    return new Jedis(new HostAndPort("127.0.0.1", port), config.build());
  }

  /** Polls a stale read through one node until it returns the value: it has caught up. */
  private void awaitStaleRead(String endpoint, String key, String value) {
    await().atMost(CATCH_UP).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Result read = run(REDRAFT, "--endpoints", endpoint, "--timeout", "5s", "get", key, "--stale");
      assertThat(read.output().trim()).as("stale read of %s through %s", key, endpoint).isEqualTo(value);
    });
  }

  private Result ok(Result result, String what) {
    assertThat(result.exitCode()).as("%s:%n%s", what, result.output()).isZero();
    return result;
  }

  private List<String> lines(String file) throws IOException {
    return Files.readAllLines(home.resolve(file)).stream().filter(line -> !line.isBlank()).toList();
  }

  /** Every pid file under DIR/n*, by relative path (n1/coordinator.pid, ...). */
  private Map<String, Long> pids() throws IOException {
    Map<String, Long> pids = new java.util.TreeMap<>();
    for (Path file : pidFiles()) {
      long pid = Long.parseLong(Files.readString(file).trim());
      pids.put(home.relativize(file).toString(), pid);
    }
    return pids;
  }

  private List<Path> pidFiles() throws IOException {
    try (Stream<Path> files = Files.walk(home)) {
      return files.filter(p -> p.toString().endsWith(".pid")).toList();
    }
  }

  /** Every port in the nodes' node.env files. */
  private List<String> recordedPorts() throws IOException {
    try (Stream<Path> files = Files.walk(home)) {
      return files.filter(p -> p.getFileName().toString().equals("node.env"))
          .flatMap(p -> {
            try {
              return Files.readAllLines(p).stream();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .filter(line -> line.matches("[A-Z]+=127\\.0\\.0\\.1:\\d+"))
          .map(line -> line.substring(line.lastIndexOf(':') + 1))
          .toList();
    }
  }

  private static boolean listening(String port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean alive(long pid) {
    return Processes.running(pid);
  }

  private Result run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }

  private Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_ENDPOINTS");
    builder.environment().putAll(env);
    Path log = Files.createTempFile(elsewhere, "out", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 3 minutes:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      seenPids.addAll(pids().values());
    }
  }

  private record Result(int exitCode, String output) {}
}
