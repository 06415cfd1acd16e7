package dev.redraft.coordinator.testing;

import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.CoordinatorNode;
import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.raft.RaftStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
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
  private final Map<String, String> extraConfig;
  /** Settings for one node only, by index (e.g. its own election timeouts); applied after extraConfig. */
  private IntFunction<Map<String, String>> nodeConfig = index -> Map.of();
  private final List<RedisServerProcess> redis = new ArrayList<>();
  /** Raft groups of the cluster (1: unsharded); node i's Redis of group g > 0 is groupRedis.get(i).get(g - 1). */
  private int groups = 1;
  private final List<List<RedisServerProcess>> groupRedis = new ArrayList<>();
  private final List<NodeConfig> configs = new ArrayList<>();
  /** Each node's command-line flags and environment, for a restart with another configuration. */
  private final List<List<String>> flags = new ArrayList<>();
  private final List<Map<String, String>> envs = new ArrayList<>();
  private final List<CoordinatorNode> nodes = new ArrayList<>();
  private final List<RedraftClient> clients = new ArrayList<>();
  /** Null: no TLS. Else each node gets a certificate from it, and clients the identity "client". */
  private final TestCa ca;
  private TestCa.Identity clientIdentity;

  private TestCluster(Path dir, Map<String, String> extraConfig, TestCa ca) {
    this.dir = dir;
    this.extraConfig = Map.copyOf(extraConfig);
    this.ca = ca;
  }

  public static TestCluster start(int size, Path dir) throws Exception {
    return start(size, dir, Map.of());
  }

  /**
   * A cluster whose nodes also get {@code extraConfig} (key to value, e.g. snapshot-threshold),
   * for tests that need snapshots and log purges to happen after a few entries.
   */
  public static TestCluster start(int size, Path dir, Map<String, String> extraConfig) throws Exception {
    return start(size, dir, extraConfig, null);
  }

  /**
   * A cluster with mutual TLS: every node has its own certificate issued by {@code ca} (tls-cert,
   * tls-key, tls-ca); the harness and {@link #client()} use the identity "client" from the same CA.
   */
  public static TestCluster startWithTls(int size, Path dir, TestCa ca) throws Exception {
    return start(size, dir, Map.of(), ca);
  }

  /** As {@link #startWithTls(int, Path, TestCa)}, with {@code extraConfig} too (e.g. tokens-file). */
  public static TestCluster startWithTls(int size, Path dir, TestCa ca, Map<String, String> extraConfig)
      throws Exception {
    return start(size, dir, extraConfig, ca);
  }

  /** A cluster whose node {@code i} also gets {@code nodeConfig.apply(i)} (key to value). */
  public static TestCluster startWithNodeConfig(int size, Path dir, IntFunction<Map<String, String>> nodeConfig)
      throws Exception {
    return start(size, dir, Map.of(), null, nodeConfig);
  }

  /** A sharded cluster: {@code groups} Raft groups, each node with a Redis per group. */
  public static TestCluster startSharded(int size, int groups, Path dir) throws Exception {
    return start(size, dir, Map.of(), null, index -> Map.of(), groups);
  }

  private static TestCluster start(int size, Path dir, Map<String, String> extraConfig, TestCa ca) throws Exception {
    return start(size, dir, extraConfig, ca, index -> Map.of());
  }

  private static TestCluster start(int size, Path dir, Map<String, String> extraConfig, TestCa ca,
      IntFunction<Map<String, String>> nodeConfig) throws Exception {
    return start(size, dir, extraConfig, ca, nodeConfig, 1);
  }

  private static TestCluster start(int size, Path dir, Map<String, String> extraConfig, TestCa ca,
      IntFunction<Map<String, String>> nodeConfig, int groups) throws Exception {
    TestCluster cluster = new TestCluster(dir, extraConfig, ca);
    cluster.nodeConfig = nodeConfig;
    cluster.groups = groups;
    try {
      cluster.boot(size);
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void boot(int size) throws Exception {
    if (ca != null) {
      clientIdentity = ca.issueClient("client", "admin");
    }
    List<Integer> raftPorts = IntStream.range(0, size).mapToObj(i -> FreePorts.next()).toList();
    String peers = IntStream.range(0, size)
        .mapToObj(i -> id(i) + "=127.0.0.1:" + raftPorts.get(i))
        .collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      configs.add(configure(i, raftPorts.get(i), peers, false));
      nodes.add(null);
    }
    for (int i = 0; i < size; i++) {
      nodes.set(i, CoordinatorNode.start(configs.get(i)));
    }
    awaitLeader();
    awaitAddressesKnownEverywhere();
  }

  /**
   * Every node has applied every node's address registration (entries of the log, like any write),
   * so a test's first admin call can be forwarded between nodes at once.
   */
  private void awaitAddressesKnownEverywhere() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (int i = 0; i < nodes.size(); i++) {
        try (Grpc admin = grpc(i)) {
          var members = admin.admin().clusterStatus(dev.redraft.api.v1.ClusterStatusRequest.getDefaultInstance())
              .getMembersList();
          if (members.size() < nodes.size() || members.stream().anyMatch(m -> m.getApiAddress().isEmpty())) {
            return false;
          }
        } catch (RuntimeException notYet) {
          return false;
        }
      }
      return true;
    });
  }

  /** Raw gRPC to a node: plaintext, or TLS with the harness' client identity. */
  public Grpc grpc(int index) {
    return ca == null ? new Grpc(endpoint(index)) : new Grpc(endpoint(index), ca.cert(), clientIdentity);
  }

  /** Starts node {@code index}'s Redis and builds its configuration. */
  private NodeConfig configure(int index, int raftPort, String peers, boolean join) throws IOException {
    return configure(index, raftPort, peers, join, groups);
  }

  /** @param nodeGroups the groups this node is configured with (the cluster's, unless a test wants it wrong) */
  private NodeConfig configure(int index, int raftPort, String peers, boolean join, int nodeGroups) throws IOException {
    RedisServerProcess server = RedisServerProcess.start(dir.resolve(id(index)).resolve("redis"));
    redis.add(server);
    List<RedisServerProcess> further = new ArrayList<>();
    for (int g = 1; g < nodeGroups; g++) {
      further.add(RedisServerProcess.start(dir.resolve(id(index)).resolve("redis-group-" + g), server.password()));
    }
    groupRedis.add(further);
    Map<String, String> env = new HashMap<>();
    env.put("REDRAFT_REDIS_PASSWORD", server.password());
    List<String> args = new ArrayList<>(List.of(
        "--node-id=" + id(index),
        "--raft-address=127.0.0.1:" + raftPort,
        "--api-address=127.0.0.1:" + FreePorts.next(),
        "--http-address=127.0.0.1:" + FreePorts.next(),
        "--resp-address=127.0.0.1:" + FreePorts.next(),
        "--resp-cluster-address=127.0.0.1:" + FreePorts.next(),
        "--peers=" + peers,
        "--redis-address=127.0.0.1:" + server.port(),
        "--data-dir=" + dir.resolve(id(index)).resolve("data"),
        "--election-timeout-min-ms=1000",
        "--election-timeout-max-ms=2000",
        "--initial-cluster-state=" + (join ? "existing" : "new"),
        // No periodic VERIFY entries unless a test asks (they move the applied-index marker, so a
        // test comparing Redis digests node by node could straddle one); later flags win.
        "--verify-interval-ms=0"));
    if (!further.isEmpty()) {
      args.add("--group-redis-addresses=" + further.stream().map(r -> "127.0.0.1:" + r.port())
          .collect(Collectors.joining(",")));
    }
    if (ca != null) {
      TestCa.Identity node = ca.issueNode(id(index));
      args.addAll(List.of("--tls-cert=" + node.cert(), "--tls-key=" + node.key(), "--tls-ca=" + ca.cert()));
    }
    extraConfig.forEach((key, value) -> args.add("--" + key + "=" + value));
    nodeConfig.apply(index).forEach((key, value) -> args.add("--" + key + "=" + value));
    flags.add(args);
    envs.add(env);
    return ConfigLoader.load(args.toArray(String[]::new), env);
  }

  /**
   * Adds groups to a node, as an operator adds groups to a running cluster: stops its coordinator, starts a
   * Redis for each group it lacks up to {@code nodeGroups}, and starts it again with their addresses.
   */
  public void restartNodeWithGroups(int index, int nodeGroups) throws Exception {
    stopNode(index);
    List<RedisServerProcess> further = groupRedis.get(index);
    for (int g = further.size() + 1; g < nodeGroups; g++) {
      further.add(RedisServerProcess.start(dir.resolve(id(index)).resolve("redis-group-" + g), redis.get(index).password()));
    }
    List<String> args = new ArrayList<>(flags.get(index));
    args.removeIf(flag -> flag.startsWith("--group-redis-addresses="));
    args.add("--group-redis-addresses=" + further.stream().map(r -> "127.0.0.1:" + r.port())
        .collect(Collectors.joining(",")));
    flags.set(index, args);
    configs.set(index, ConfigLoader.load(args.toArray(String[]::new), envs.get(index)));
    groups = Math.max(groups, nodeGroups);
    restartNode(index);
  }

  /**
   * Starts one more node (its own Redis, initial-cluster-state=existing) and adds it through the
   * admin API of a running member; returns its index once the change is committed.
   */
  public int addNode(boolean learner) throws Exception {
    int index = configs.size();
    String peers = IntStream.range(0, index).filter(i -> nodes.get(i) != null)
        .mapToObj(i -> id(i) + "=" + configs.get(i).raftAddress())
        .collect(Collectors.joining(","));
    NodeConfig config = configure(index, FreePorts.next(), peers, true);
    configs.add(config);
    nodes.add(CoordinatorNode.start(config));
    try (Grpc admin = grpc(awaitLeader())) {
      admin.admin().addNode(AddNodeRequest.newBuilder().setNodeId(id(index))
          .setRaftAddress(config.raftAddress().toString()).setLearner(learner).build());
    }
    return index;
  }

  /**
   * Starts one more node that hosts group 0 only (a node configured for another number of groups than the
   * cluster's), without adding it; returns its index (its Raft address: {@link #raftAddress}).
   */
  public int startNodeOfGroupZeroOnly() throws Exception {
    int index = configs.size();
    String peers = IntStream.range(0, index).filter(i -> nodes.get(i) != null)
        .mapToObj(i -> id(i) + "=" + configs.get(i).raftAddress())
        .collect(Collectors.joining(","));
    NodeConfig config = configure(index, FreePorts.next(), peers, true, 1);
    configs.add(config);
    nodes.add(CoordinatorNode.start(config));
    return index;
  }

  public String raftAddress(int index) {
    return configs.get(index).raftAddress().toString();
  }

  /**
   * Waits (up to a minute) until each group's replicas on {@code nodes} have one Redis digest: meaningful
   * once writes have stopped.
   */
  public void awaitEqualReplicas(List<Integer> nodes) {
    for (int g = 0; g < groups; g++) {
      int group = g;
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        List<String> digests = new ArrayList<>();
        for (int n : nodes) {
          digests.add(digest(n, group));
        }
        org.assertj.core.api.Assertions.assertThat(digests).as("digests of group %d's replicas", group)
            .containsOnly(digests.get(0));
      });
    }
  }

  /** Removes a node through the admin API (sent to {@code via}), then stops it and its Redis. */
  public void removeNode(int index, int via) {
    try (Grpc admin = grpc(via)) {
      admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId(id(index)).build());
    }
    stopNode(index);
    redis.get(index).stop();
  }

  /** Indexes of the nodes running now. */
  public List<Integer> running() {
    return IntStream.range(0, nodes.size()).filter(i -> nodes.get(i) != null).boxed().toList();
  }

  public static String id(int index) {
    return "n" + (index + 1);
  }

  /** Every node ever started in this cluster (stopped and removed ones too): indexes run 0..size-1. */
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

  /** The port of a node's RESP (Redis protocol) server. */
  public int respPort(int index) {
    return configs.get(index).respAddress().port();
  }

  /** Node {@code index}'s RESP port for cluster-aware clients (-MOVED). */
  public int respClusterPort(int index) {
    return configs.get(index).respClusterAddress().port();
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
    RedraftClient.Builder builder = RedraftClient.builder().endpoints(endpoints).requestTimeout(Duration.ofSeconds(20));
    if (ca != null) {
      builder.tls(TlsSettings.trustCa(ca.cert()).clientIdentity(clientIdentity.cert(), clientIdentity.key()));
    }
    RedraftClient client = builder.build();
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
    return digest(redis.get(index));
  }

  /** Node {@code index}'s Redis of group {@code group}. */
  public RedisServerProcess redis(int index, int group) {
    return group == 0 ? redis.get(index) : groupRedis.get(index).get(group - 1);
  }

  /** The digest of node {@code index}'s Redis of group {@code group}. */
  public String digest(int index, int group) {
    return digest(redis(index, group));
  }

  private static String digest(RedisServerProcess server) {
    try (Jedis jedis = server.jedis()) {
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
    groupRedis.forEach(servers -> servers.forEach(RedisServerProcess::stop));
  }
}
