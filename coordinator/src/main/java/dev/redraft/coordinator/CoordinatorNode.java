package dev.redraft.coordinator;

import dev.redraft.coordinator.api.AdminHttpServer;
import dev.redraft.coordinator.api.ApiServer;
import dev.redraft.coordinator.api.PeerChannels;
import dev.redraft.coordinator.api.PeerDigestClient;
import dev.redraft.coordinator.api.RemovalWatch;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Limits;
import dev.redraft.coordinator.config.ConfigKey;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.DataDirectory;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.node.SlotSplitFile;
import dev.redraft.coordinator.raft.NodeRegistrar;
import dev.redraft.coordinator.raft.RaftHost;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.redis.RedisEndpoint;
import dev.redraft.coordinator.redis.RedisPreflight;
import dev.redraft.coordinator.resp.RespServer;
import dev.redraft.coordinator.security.TokenStore;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator node, wired: its Redis (checked first), its replica of each Raft group
 * ({@link GroupReplica}: Redis, state machine, Raft, health, verification; one group unless the
 * cluster is sharded), the Ratis server that runs them ({@link RaftHost}), and the node's own parts:
 * the public gRPC API, the RESP and admin HTTP ports, TLS, tokens and the member directory (those two
 * live in group 0). {@link #start} returns once the node is serving; {@link #close} stops it all.
 */
public final class CoordinatorNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorNode.class);
  private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);
  /** Arguments of one command: the apply script hands them to Redis in one Lua call, which caps them. */
  private static final int MAX_ARGS_PER_COMMAND = 4_096;

  private final NodeConfig config;
  /** This node's replica of each Raft group, group 0 first. */
  private final List<GroupReplica> groups = new ArrayList<>();
  /** Group 0's: the node's members, tokens and registrations live there. */
  private final GroupReplica group;
  /** The node's Ratis server, running its group(s). */
  private RaftHost raftHost;
  private final ApiServer api;
  private final NodeRegistrar registrar;
  private final PeerChannels channels;
  private final RemovalWatch removalWatch;
  private final PeerDigestClient peerDigests;
  private final RedraftMetrics metrics;
  private final CommandValidator validator;
  private AdminHttpServer http;
  private RespServer resp;
  /** Null: TLS off. */
  private final TlsMaterial tls;
  private final Tokens tokens;

  private CoordinatorNode(NodeConfig config) throws Exception {
    this.config = config;
    DataDirectory.secure(config.nodeId(), config.dataDir());
    int splitGroups = SlotSplitFile.read(config, RaftHost.storageDir(config));
    if (splitGroups == SlotSplitFile.UNKNOWN) {
      LOG.info("node {}: joining a sharded cluster: it routes keys once it has read from group 0's log how many groups"
          + " the slots are split over", config.nodeId());
    } else if (splitGroups < config.groupCount()) {
      LOG.info("node {}: groups {}..{} were added after the cluster was created: they own the slots moved to them"
          + " (redraft slots balance)", config.nodeId(), splitGroups, config.groupCount() - 1);
    }
    // First: a bad certificate or key stops the node before anything listens.
    this.tls = config.tlsFiles().map(TlsMaterial::load).orElse(null);
    if (tls == null) {
      LOG.warn("node {}: TLS is off (no {}, {}, {}): the API and Raft ports are plaintext and take any caller; "
          + "fine for a local try-out, never in production", config.nodeId(), ConfigKey.TLS_CERT.key(),
          ConfigKey.TLS_KEY.key(), ConfigKey.TLS_CA.key());
    } else {
      LOG.info("node {}: mutual TLS on the API and Raft ports: {}", config.nodeId(), tls.describe());
    }
    TokenStore tokenFile = config.tokens().map(TokenStore::load).orElse(TokenStore.empty());
    if (tls != null) {
      LOG.info("node {}: every API call needs a client certificate with a role (OU=read, readwrite or admin){}",
          config.nodeId(), config.tokens().isEmpty() ? "" : " or a token (" + tokenFile.size() + " in "
              + config.tokensFile() + ", others granted through the Access service)");
    }
    List<RedisEndpoint> redis = new ArrayList<>();
    for (int g = 0; g < config.groupCount(); g++) {
      RedisEndpoint endpoint = new RedisEndpoint(config.redisAddress(g).host(), config.redisAddress(g).port(),
          config.redisUser(), config.redisPassword(), REDIS_TIMEOUT);
      RedisPreflight.check(endpoint, config.redisAllowRemote());
      redis.add(endpoint);
    }
    this.metrics = new RedraftMetrics(config.nodeId(), config.clusterId());
    MemberDirectory members = new MemberDirectory();
    this.validator = new CommandValidator(new Limits(config.maxRequestBytes(), MAX_ARGS_PER_COMMAND));
    this.channels = new PeerChannels(config.nodeId(), members, tls);
    this.peerDigests = new PeerDigestClient(channels);
    for (int g = 0; g < config.groupCount(); g++) {
      groups.add(new GroupReplica(config, g, redis.get(g), members, validator, metrics, channels, peerDigests, tls));
    }
    this.group = groups.get(0);
    RaftNode raft = group.raft();
    this.tokens = new Tokens(tokenFile, config.tokens().isPresent(),
        () -> group.reader().readHash(Tokens.REPLICATED_KEY));
    this.api = new ApiServer(config, groups.stream().map(GroupReplica::api).toList(), splitGroups, validator, members,
        metrics, channels, tls, tokens);
    this.removalWatch = new RemovalWatch(config.nodeId(), raft, group.health(), members, channels,
        config.electionTimeoutMax());
    this.registrar = new NodeRegistrar(config.nodeId(), new MemberDirectory.MemberAddresses(
        config.apiAddress().toString(), config.redisAddress().toString(),
        config.resp().map(Object::toString).orElse(""), config.respCluster().map(Object::toString).orElse("")), raft,
        members);
  }

  public static CoordinatorNode start(NodeConfig config) throws Exception {
    CoordinatorNode node = new CoordinatorNode(config);
    try {
      // First, so a node stuck in start-up can still be scraped and asked why it is not ready.
      if (config.httpAddress() != null) {
        List<NodeReadiness> readiness = node.groups.stream().map(GroupReplica::readiness).toList();
        node.http = new AdminHttpServer(config.httpAddress(), node.metrics, () -> NodeReadiness.ofAll(readiness));
        node.http.start();
      }
      node.raftHost = RaftHost.start(config, node.tls, node.groups.stream().map(g -> g.raft().hosted()).toList());
      for (GroupReplica group : node.groups) {
        group.start(node.raftHost);
      }
      node.api.start();
      if (config.respAddress() != null) {
        node.resp = new RespServer(config.respAddress(), config.respClusterAddress(), node.api.kv(), node.api.slots(),
            node.validator,
            config.nodeId(), node.group.raft()::status, config.maxRequestBytes(), config.respPassword(), node.tokens, node.tls);
        node.resp.start();
      }
      node.registrar.start();
      node.removalWatch.start();
      node.groups.forEach(GroupReplica::startWatches);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    LOG.info("node {} serving: api {}, resp {}, raft {}, redis {}{}, http {}, data {}", config.nodeId(),
        config.apiAddress(), config.resp().map(Object::toString).orElse("off"), config.raftAddress(),
        config.redisAddress(), config.groupCount() == 1 ? "" : " (group 0; groups 1.." + (config.groupCount() - 1)
            + ": " + config.groupRedisAddresses() + ")", config.http().map(Object::toString).orElse("off"),
        config.dataDir());
    return node;
  }

  public NodeConfig config() {
    return config;
  }

  /** Group 0's Raft replica (the only one of an unsharded cluster). */
  public RaftNode raft() {
    return group.raft();
  }

  /** The Raft replica of group {@code index}. */
  public RaftNode raft(int index) {
    return groups.get(index).raft();
  }

  /** The verifier of group {@code index}'s replica. */
  public ReplicaVerifier verifier(int index) {
    return groups.get(index).verifier();
  }

  /** The node's Ratis server (null until started); closing it stops the node's Raft groups. */
  public RaftHost raftHost() {
    return raftHost;
  }

  public NodeHealth health() {
    return group.health();
  }

  public ReplicaVerifier verifier() {
    return group.verifier();
  }

  public RedraftMetrics metrics() {
    return metrics;
  }

  public NodeReadiness readiness() {
    return group.readiness();
  }

  @Override
  public void close() {
    groups.forEach(GroupReplica::stopWatches);
    closeQuietly("removal watch", removalWatch);
    closeQuietly("registrar", registrar);
    closeQuietly("resp server", resp);
    closeQuietly("api server", api);
    closeQuietly("admin http server", http);
    groups.forEach(GroupReplica::stopBeforeRaft);
    closeQuietly("peer digests", peerDigests);
    closeQuietly("peer channels", channels);
    closeQuietly("raft server", raftHost);
    groups.forEach(GroupReplica::closeAfterRaft);
    closeQuietly("metrics", metrics);
    LOG.info("node {} stopped", config.nodeId());
  }

  static void closeQuietly(String what, AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      LOG.warn("closing the {} failed: {}", what, e.toString());
    } 
  }
}
