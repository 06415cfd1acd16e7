package dev.redraft.coordinator.chaos.harness;

import dev.redraft.api.v1.MemberStatus;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.testing.FreePorts;
import dev.redraft.coordinator.testing.RedisServerProcess;
import dev.redraft.coordinator.testing.TestCa;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * A cluster of separate coordinator JVMs, each with its own real redis-server, whose Raft links
 * run through a {@link Network} of loopback proxies that tests can cut. Every process it starts is
 * stopped by PID in {@link #close()}; all files stay under its directory for post-mortems.
 */
public final class ChaosCluster implements AutoCloseable {
  /** The runnable jar that {@code mvn package} builds (failsafe runs after package). */
  /**
   * The nodes' JVM settings: C1 only, as the nodes of a short run start far cheaper with it; a metaspace
   * threshold above what a node loads, as in scripts/cluster.sh (the default one stopped each new node for
   * two full collections of 90-300 ms in its first 15 s, while a re-added one was catching up).
   */
  static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:MetaspaceSize=128m");
  public static final Path JAR = Path.of(System.getProperty("user.dir")).resolve("target/redraft-coordinator.jar");

  private final Path dir;
  private final List<RedisServerProcess> redis = new ArrayList<>();
  /** A sharded cluster's further Redis: node i's of group g > 0 is groupRedis.get(i).get(g - 1). */
  private final List<List<RedisServerProcess>> groupRedis = new ArrayList<>();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Network network;
  private Options options;
  private List<Integer> raftPorts;
  private int wipes;
  private TestCa.Identity clientIdentity;
  /** Null: plaintext. */
  private SslContext harnessTls;

  /** How to start the cluster. */
  public static final class Options {
    int size = 3;
    Map<Integer, List<String>> extraFlags = new HashMap<>();
    int electionMinMs = 1000;
    int electionMaxMs = 2000;
    int groups = 1;
    boolean recordRaftTraffic;
    TestCa ca;

    /** The Raft links keep a copy of every byte they carry: {@link Network#recordedTraffic()}. */
    public Options recordRaftTraffic() {
      recordRaftTraffic = true;
      return this;
    }

    /**
     * Mutual TLS: each slot's node gets a certificate from {@code ca} for its host name (n1, n2, ...),
     * and the harness' own calls and {@link #clientTls()} use the identity "client" from it.
     */
    public Options tls(TestCa ca) {
      this.ca = ca;
      return this;
    }

    /** A sharded cluster of this many Raft groups, each node with a Redis per group. */
    public Options groups(int value) {
      groups = value;
      return this;
    }

    public Options size(int value) {
      size = value;
      return this;
    }

    public Options electionTimeoutMs(int min, int max) {
      electionMinMs = min;
      electionMaxMs = max;
      return this;
    }

    /** Extra {@code --key=value} flags for one node (later flags win). */
    public Options flags(int node, String... flags) {
      extraFlags.computeIfAbsent(node, k -> new ArrayList<>()).addAll(List.of(flags));
      return this;
    }
  }

  private ChaosCluster(Path dir) {
    this.dir = dir;
  }

  public static ChaosCluster start(Path dir, Options options) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: multi-process tests run as failsafe ITs after "
          + "'mvn package' (run them with mvn verify)");
    }
    ChaosCluster cluster = new ChaosCluster(dir);
    try {
      cluster.boot(options);
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void boot(Options options) {
    this.options = options;
    int size = options.size;
    raftPorts = IntStream.range(0, size).mapToObj(i -> FreePorts.next()).toList();
    network = new Network(raftPorts, options.recordRaftTraffic);
    if (options.ca != null) {
      issueCertificates(options.ca, size);
    }
    for (int i = 0; i < size; i++) {
      RedisServerProcess own = RedisServerProcess.start(dir.resolve(Network.name(i)).resolve("redis"));
      redis.add(own);
      List<RedisServerProcess> further = new ArrayList<>();
      for (int g = 1; g < options.groups; g++) {
        further.add(RedisServerProcess.start(dir.resolve(Network.name(i)).resolve("redis-group-" + g), own.password()));
      }
      groupRedis.add(further);
    }
    String peers = IntStream.range(0, size).mapToObj(i -> Network.name(i) + "=" + raftAddress(i))
        .collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      nodes.add(newNode(i, Network.name(i), peers, "127.0.0.1:" + FreePorts.next(), false));
    }
    nodes.forEach(NodeProcess::start);
    awaitLeader(Duration.ofSeconds(90));
  }

  /**
   * The coordinator of a slot. Slots keep their host name (n1, n2, ...), Raft port and API address
   * for the whole run, so the proxies and the clients need no change when a node is replaced; the
   * Raft id of the node in a slot may differ from the slot's name after a replacement.
   */
  private NodeProcess newNode(int slot, String nodeId, String peers, String api, boolean joinExisting) {
    Path nodeDir = mkdirs(dir.resolve(Network.name(slot)));
    List<String> command = new ArrayList<>(List.of(javaBinary()));
    command.addAll(JVM_FLAGS);
    command.addAll(ClassDataSharing.flags(nodeDir));
    command.addAll(List.of(
        "-Djdk.net.hosts.file=" + network.hostsFile(slot, nodeDir),
        "-jar", JAR.toString(),
        "--node-id=" + nodeId,
        "--raft-address=" + raftAddress(slot),
        "--api-address=" + api,
        "--peers=" + peers,
        "--redis-address=127.0.0.1:" + redis.get(slot).port(),
        "--data-dir=" + nodeDir.resolve("data"),
        "--election-timeout-min-ms=" + options.electionMinMs,
        "--election-timeout-max-ms=" + options.electionMaxMs));
    if (joinExisting) {
      command.add("--initial-cluster-state=existing");
    }
    if (options.groups > 1) {
      command.add("--group-redis-addresses=" + groupRedis.get(slot).stream().map(r -> "127.0.0.1:" + r.port())
          .collect(Collectors.joining(",")));
    }
    command.addAll(options.extraFlags.getOrDefault(slot, List.of()));
    return new NodeProcess(slot, nodeId, nodeDir, command, redis.get(slot).password(), api, harnessTls);
  }

  private void issueCertificates(TestCa ca, int size) {
    try {
      clientIdentity = ca.issueClient("client", "admin");
      harnessTls = GrpcSslContexts.forClient().trustManager(ca.cert().toFile())
          .keyManager(clientIdentity.cert().toFile(), clientIdentity.key().toFile()).build();
      for (int slot = 0; slot < size; slot++) {
        String name = Network.name(slot);
        TestCa.Identity node = ca.issue(name, "node", "serverAuth,clientAuth", "DNS:" + name + ",IP:127.0.0.1,DNS:localhost");
        options.flags(slot, "--tls-cert=" + node.cert(), "--tls-key=" + node.key(), "--tls-ca=" + ca.cert());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot issue the test certificates", e);
    }
  }

  /** A client builder for these endpoints of this cluster, with its TLS settings if it has them. */
  public RedraftClient.Builder clientBuilder(List<String> endpoints) {
    RedraftClient.Builder builder = RedraftClient.builder().endpoints(endpoints);
    TlsSettings tls = clientTls();
    return tls == null ? builder : builder.tls(tls);
  }

  /** The TLS context of the harness' own gRPC channels (null: plaintext). */
  public SslContext harnessTls() {
    return harnessTls;
  }

  /** TLS settings for a client of this cluster (null without {@link Options#tls}). */
  public TlsSettings clientTls() {
    return options.ca == null ? null
        : TlsSettings.trustCa(options.ca.cert()).clientIdentity(clientIdentity.cert(), clientIdentity.key());
  }

  /** The Raft address of a slot: its host name, which every other node's hosts file maps to the proxy of their link. */
  public String raftAddress(int slot) {
    return Network.name(slot) + ":" + raftPorts.get(slot);
  }

  /**
   * Starts a new, empty coordinator with Raft id {@code nodeId} in a slot whose node was removed:
   * the old coordinator is killed, its data directory moved aside (kept for post-mortems), its
   * Redis restarted empty, and the new node started to join the existing group
   * ({@code --initial-cluster-state=existing}). The caller adds it through the admin API.
   */
  public NodeProcess startEmpty(int slot, String nodeId) {
    NodeProcess old = nodes.get(slot);
    old.close();
    Path data = old.dataDir();
    try {
      if (Files.exists(data)) {
        Files.move(data, data.resolveSibling("data.wiped-" + (++wipes)));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot wipe " + data, e);
    }
    redis.get(slot).restart();
    String peers = IntStream.range(0, nodes.size())
        .mapToObj(i -> (i == slot ? nodeId : nodes.get(i).nodeId()) + "=" + raftAddress(i))
        .collect(Collectors.joining(","));
    NodeProcess fresh = newNode(slot, nodeId, peers, old.apiAddress(), true);
    nodes.set(slot, fresh);
    fresh.start();
    return fresh;
  }

  private static Path mkdirs(Path path) {
    try {
      return Files.createDirectories(path);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The nodes' election-timeout-max-ms. */
  public Duration electionTimeoutMax() {
    return Duration.ofMillis(options.electionMaxMs);
  }

  public Path dir() {
    return dir;
  }

  public int size() {
    return nodes.size();
  }

  public NodeProcess node(int index) {
    return nodes.get(index);
  }

  public RedisServerProcess redis(int index) {
    return redis.get(index);
  }

  /** Node {@code index}'s Redis of Raft group {@code group}. */
  public RedisServerProcess redis(int index, int group) {
    return group == 0 ? redis.get(index) : groupRedis.get(index).get(group - 1);
  }

  public Network network() {
    return network;
  }

  public List<String> endpoints() {
    return nodes.stream().map(NodeProcess::apiAddress).toList();
  }

  public List<Optional<MemberStatus>> statuses() {
    return nodes.stream().map(NodeProcess::status).toList();
  }

  /** The one node that says it is the leader, if exactly one of those that answer does. */
  public Optional<Integer> leader() {
    List<Optional<MemberStatus>> statuses = statuses();
    List<Integer> leaders = new ArrayList<>();
    for (int i = 0; i < statuses.size(); i++) {
      if (statuses.get(i).map(s -> s.getRole().equals("LEADER")).orElse(false)) {
        leaders.add(i);
      }
    }
    return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  public int awaitLeader(Duration timeout) {
    return Poll.until("a single leader among " + nodes.size() + " nodes", timeout, this::leader);
  }

  /** Waits for a leader that is ready to serve (its Redis healthy). */
  public int awaitReadyLeader(Duration timeout) {
    return Poll.until("a ready leader", timeout, () -> leader()
        .filter(i -> nodes.get(i).status().map(MemberStatus::getReady).orElse(false)));
  }

  /**
   * Waits until every node is running, ready, and has applied the same index, equal to the highest
   * commit index: their Redis then hold the state of the same log position. Writes must have
   * stopped. Returns that index.
   */
  public long awaitSameAppliedIndex(Duration timeout) {
    for (int g = 1; g < options.groups; g++) {
      awaitSameAppliedIndex(g, timeout);
    }
    return awaitSameAppliedIndex(0, timeout);
  }

  /**
   * Every node's Redis digest of {@code group}, taken while every node had applied the same index: a
   * group can still take entries after the workload stopped (e.g. a periodic verification round),
   * and the digest covers the applied-index marker. Tries again if an index moved meanwhile.
   */
  public List<String> digestsAtOneIndex(int group, Duration timeout) {
    for (int attempt = 1; ; attempt++) {
      long index = awaitSameAppliedIndex(group, timeout);
      List<String> digests = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        digests.add(digest(i, group));
      }
      boolean unmoved = nodes.stream().map(node -> node.status(group))
          .allMatch(status -> status.isPresent() && status.get().getAppliedIndex() == index);
      if (unmoved) {
        return digests;
      }
      if (attempt == 5) {
        throw new AssertionError("an applied index of group " + group + " moved while the digests were taken, 5 times");
      }
    }
  }

  /** Whether every node answers and says it is ready (caught up with its leader) in every group. */
  public boolean everyReplicaReady() {
    for (int group = 0; group < options.groups; group++) {
      for (NodeProcess node : nodes) {
        Optional<MemberStatus> status = node.status(group);
        if (status.isEmpty() || !status.get().getReady()) {
          return false;
        }
      }
    }
    return true;
  }

  /** As {@link #awaitSameAppliedIndex(Duration)}, for Raft group {@code group}. */
  private long awaitSameAppliedIndex(int group, Duration timeout) {
    return Poll.until("every node ready at the same applied index of group " + group, timeout, () -> {
      long commit = 0;
      List<Long> applied = new ArrayList<>();
      for (Optional<MemberStatus> status : nodes.stream().map(node -> node.status(group)).toList()) {
        if (status.isEmpty() || !status.get().getReady()) {
          return Optional.empty();
        }
        commit = Math.max(commit, status.get().getCommitIndex());
        applied.add(status.get().getAppliedIndex());
      }
      long target = commit;
      return applied.stream().allMatch(a -> a == target) && target > 0 ? Optional.of(target) : Optional.empty();
    });
  }

  /** What every node's status says, one line each, for failure messages. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    List<Optional<MemberStatus>> statuses = statuses();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProcess node = nodes.get(i);
      out.append(node.name()).append(node.nodeId().equals(node.name()) ? "" : " (id " + node.nodeId() + ")")
          .append(" pid ").append(node.pid())
          .append(node.isPaused() ? " PAUSED" : node.isRunning() ? "" : " DOWN").append(": ")
          .append(statuses.get(i).map(s -> s.getRole() + " term " + s.getTerm() + " commit " + s.getCommitIndex()
              + " applied " + s.getAppliedIndex() + (s.getReady() ? " ready" : " NOT READY (" + s.getDetail() + ")"))
              .orElse("no answer"))
          .append('\n');
    }
    out.append("cut links: ").append(network.cutLinks());
    return out.toString();
  }

  /**
   * The first index still in a node's Raft log on disk (log_START-END and log_inprogress_START
   * segment files): above 0 once a snapshot let it purge older segments. Empty if it has no log yet.
   */
  public java.util.OptionalLong firstLogIndex(int slot) {
    java.util.regex.Pattern segment = java.util.regex.Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");
    Path data = nodes.get(slot).dataDir();
    if (!Files.isDirectory(data)) {
      return java.util.OptionalLong.empty();
    }
    try (java.util.stream.Stream<Path> files = Files.walk(data)) {
      return files.map(f -> segment.matcher(f.getFileName().toString()))
          .filter(java.util.regex.Matcher::matches)
          .mapToLong(m -> Long.parseLong(m.group(1)))
          .min();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return java.util.OptionalLong.empty(); // a segment renamed or purged while listing: ask again
    }
  }

  /** Raft groups of the cluster (1: not sharded). */
  public int groups() {
    return options.groups;
  }

  /** Redis' digest of a node's whole dataset (equal data, equal digest). */
  public String digest(int index) {
    return digest(index, 0);
  }

  /** Redis' digest of a node's Redis of Raft group {@code group}. */
  public String digest(int index, int group) {
    try (Jedis jedis = redis(index, group).jedis()) {
      ProtocolCommand debug = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
      return new String((byte[]) jedis.sendCommand(debug, "DIGEST".getBytes(StandardCharsets.US_ASCII)),
          StandardCharsets.US_ASCII);
    }
  }

  /**
   * A value straight from a node's Redis (bypassing the coordinator), for after-run checks: from its Redis of
   * the group that owns the key's slot, as the cluster's slot map says now (slots may have moved).
   */
  public String redisGet(int index, String key) {
    int group = currentSlotMap().groupOfKey(key.getBytes(StandardCharsets.UTF_8));
    try (Jedis jedis = redis(index, group).jedis()) {
      return jedis.get(key);
    }
  }

  private dev.redraft.coordinator.shard.SlotMap slotMap;
  private long slotMapReadAtNanos;

  /** The slot map as a running node answers it (read again after a second), or the static split. */
  private synchronized dev.redraft.coordinator.shard.SlotMap currentSlotMap() {
    dev.redraft.coordinator.shard.SlotMap split = dev.redraft.coordinator.shard.SlotMap.evenSplit(options.groups);
    if (options.groups == 1) {
      return split;
    }
    if (slotMap == null || System.nanoTime() - slotMapReadAtNanos > 1_000_000_000L) {
      List<String> endpoints = nodes.stream().filter(NodeProcess::isRunning).map(NodeProcess::apiAddress).toList();
      try (RedraftClient client = clientBuilder(endpoints).build()) {
        java.util.Map<Integer, Integer> owners = new java.util.HashMap<>();
        for (dev.redraft.api.v1.GroupSlots group : client.admin().clusterSlots().getGroupsList()) {
          for (dev.redraft.api.v1.SlotRange range : group.getSlotsList()) {
            for (int slot = range.getFirst(); slot <= range.getLast(); slot++) {
              owners.put(slot, group.getGroup());
            }
          }
        }
        slotMap = split.withMoved(owners, 0);
        slotMapReadAtNanos = System.nanoTime();
      }
    }
    return slotMap;
  }

  /** Heals the network, resumes paused nodes and starts stopped ones. */
  public void healEverything() {
    network.healAll();
    for (NodeProcess node : nodes) {
      node.resume();
      if (node.clockOffset() != null) {
        node.kill();
        node.setClockOffset(null);
      }
      if (!node.isRunning()) {
        node.start();
      }
    }
  }

  @Override
  public void close() {
    nodes.stream().filter(NodeProcess::isRunning).findFirst()
        .ifPresent(node -> ClassDataSharing.adoptFrom(node, javaBinary(), JVM_FLAGS));
    for (NodeProcess node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        System.err.println("could not stop " + node.name() + ": " + e);
      }
    }
    redis.forEach(RedisServerProcess::stop);
    groupRedis.forEach(servers -> servers.forEach(RedisServerProcess::stop));
    if (network != null) {
      network.close();
    }
  }
}
