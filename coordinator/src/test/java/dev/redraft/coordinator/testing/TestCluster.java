package dev.redraft.coordinator.testing;

import static org.awaitility.Awaitility.await;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.CoordinatorNode;
import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.raft.RaftStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A real cluster in one JVM for tests: N coordinator nodes, each with its own real redis-server
 * process on a free loopback port. Nodes can be stopped (their Raft server closes, as if the
 * process died), restarted on the same data and ports, and their Redis killed or restarted.
 */
public final class TestCluster implements AutoCloseable {
  private final Path dir;
  private final List<RedisServerProcess> redis = new ArrayList<>();
  private final List<NodeConfig> configs = new ArrayList<>();
  private final List<CoordinatorNode> nodes = new ArrayList<>();
  private final List<RedraftClient> clients = new ArrayList<>();

  private TestCluster(Path dir) {
    this.dir = dir;
  }

  public static TestCluster start(int size, Path dir) throws Exception {
    TestCluster cluster = new TestCluster(dir);
    try {
      cluster.boot(size);
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void boot(int size) throws Exception {
    List<Integer> raftPorts = IntStream.range(0, size).mapToObj(i -> FreePorts.next()).toList();
    String peers = IntStream.range(0, size)
        .mapToObj(i -> id(i) + "=127.0.0.1:" + raftPorts.get(i))
        .collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      RedisServerProcess server = RedisServerProcess.start(dir.resolve(id(i)).resolve("redis"));
      redis.add(server);
      Map<String, String> env = new HashMap<>();
      env.put("REDRAFT_REDIS_PASSWORD", server.password());
      configs.add(ConfigLoader.load(new String[] {
          "--node-id=" + id(i),
          "--raft-address=127.0.0.1:" + raftPorts.get(i),
          "--api-address=127.0.0.1:" + FreePorts.next(),
          "--http-address=127.0.0.1:" + FreePorts.next(),
          "--peers=" + peers,
          "--redis-address=127.0.0.1:" + server.port(),
          "--data-dir=" + dir.resolve(id(i)).resolve("data"),
          "--election-timeout-min-ms=1000",
          "--election-timeout-max-ms=2000"}, env));
      nodes.add(null);
    }
    for (int i = 0; i < size; i++) {
      nodes.set(i, CoordinatorNode.start(configs.get(i)));
    }
    awaitLeader();
  }

  public static String id(int index) {
    return "n" + (index + 1);
  }

  public int size() {
    return configs.size();
  }

  public CoordinatorNode node(int index) {
    return nodes.get(index);
  }

  public RedisServerProcess redis(int index) {
    return redis.get(index);
  }

  public String endpoint(int index) {
    return configs.get(index).apiAddress().toString();
  }

  /** Base URL of a node's admin HTTP server (/metrics, /livez, /readyz). */
  public String httpUrl(int index) {
    return "http://" + configs.get(index).httpAddress();
  }

  public List<String> endpoints() {
    return configs.stream().map(c -> c.apiAddress().toString()).toList();
  }

  /** A client over every endpoint; closed with the cluster. */
  public RedraftClient client() {
    return client(endpoints());
  }

  /** A client that talks to the given nodes only. */
  public RedraftClient clientOf(int... indexes) {
    return client(IntStream.of(indexes).mapToObj(this::endpoint).toList());
  }

  private RedraftClient client(List<String> endpoints) {
    RedraftClient client = RedraftClient.builder().endpoints(endpoints).requestTimeout(Duration.ofSeconds(20)).build();
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** Waits until the running nodes agree on one leader, and returns its index. */
  public int awaitLeader() {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(this::currentLeader, Optional::isPresent).get();
  }

  private Optional<Integer> currentLeader() {
    List<Integer> leaders = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      CoordinatorNode node = nodes.get(i);
      if (node != null && node.raft().status().role().equals("LEADER")) {
        leaders.add(i);
      }
    }
    return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  public RaftStatus status(int index) {
    return nodes.get(index).raft().status();
  }

  /** Any running node that is not the leader. */
  public int aFollower() {
    int leader = awaitLeader();
    for (int i = 0; i < nodes.size(); i++) {
      if (i != leader && nodes.get(i) != null) {
        return i;
      }
    }
    throw new IllegalStateException("no running follower");
  }

  /** Stops a node's coordinator (its Redis keeps running with its data). */
  public void stopNode(int index) {
    CoordinatorNode node = nodes.set(index, null);
    if (node != null) {
      node.close();
    }
  }

  /** Starts a stopped node again on the same ports, data directory and Redis. */
  public void restartNode(int index) throws Exception {
    if (nodes.get(index) != null) {
      throw new IllegalStateException(id(index) + " is running");
    }
    nodes.set(index, CoordinatorNode.start(configs.get(index)));
  }

  /**
   * Waits until every running node has applied the same, highest log index, so their Redis hold
   * the state of the same log position. Only meaningful once writes have stopped.
   */
  public long awaitSameAppliedIndex() {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      long commit = 0;
      List<Long> applied = new ArrayList<>();
      for (CoordinatorNode node : nodes) {
        if (node != null) {
          RaftStatus status = node.raft().status();
          commit = Math.max(commit, status.commitIndex());
          applied.add(status.appliedIndex());
        }
      }
      long target = commit;
      return applied.stream().allMatch(a -> a == target) ? target : -1L;
    }, index -> index > 0);
  }

  /** Redis' digest of a node's whole dataset (equal data, equal digest). */
  public String digest(int index) {
    try (Jedis jedis = redis.get(index).jedis()) {
      ProtocolCommand debug = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
      return new String((byte[]) jedis.sendCommand(debug, "DIGEST".getBytes(StandardCharsets.US_ASCII)),
          StandardCharsets.US_ASCII);
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(RedraftClient::close);
      clients.clear();
    }
    for (int i = 0; i < nodes.size(); i++) {
      stopNode(i);
    }
    redis.forEach(RedisServerProcess::stop);
  }
}
