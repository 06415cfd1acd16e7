package dev.redraft.coordinator;

import dev.redraft.coordinator.api.AdminHttpServer;
import dev.redraft.coordinator.api.ApiServer;
import dev.redraft.coordinator.api.LeaderCommitProbe;
import dev.redraft.coordinator.api.LeaderSnapshotRepair;
import dev.redraft.coordinator.api.PeerChannels;
import dev.redraft.coordinator.api.PeerDigestClient;
import dev.redraft.coordinator.api.PeerReadinessProbe;
import dev.redraft.coordinator.api.RemovalWatch;
import dev.redraft.coordinator.raft.LeadershipHealthGuard;
import dev.redraft.coordinator.raft.RaftClusterView;
import dev.redraft.coordinator.raft.StuckFollowerWatch;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import dev.redraft.coordinator.verify.VerifyScheduler;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Limits;
import dev.redraft.coordinator.config.ConfigKey;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.DataDirectory;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.NodeRegistrar;
import dev.redraft.coordinator.raft.RaftHost;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.raft.RedraftStateMachine;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisEndpoint;
import dev.redraft.coordinator.redis.RedisPreflight;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.redis.RedisSnapshots;
import dev.redraft.coordinator.resp.RespServer;
import dev.redraft.coordinator.security.TokenStore;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator node, wired: its Redis (checked first), the Raft server and state machine, and
 * the public gRPC API. {@link #start} returns once the node is serving; {@link #close} stops it all.
 */
public final class CoordinatorNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorNode.class);
  private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);
  /** Arguments of one command: the apply script hands them to Redis in one Lua call, which caps them. */
  private static final int MAX_ARGS_PER_COMMAND = 4_096;

  private final NodeConfig config;
  private final RedisApplier applier;
  private final RedisReader reader;
  private final NodeHealth health;
  private final RaftNode raft;
  /** The node's Ratis server, running its group(s). */
  private RaftHost raftHost;
  private final RedraftStateMachine stateMachine;
  private final ApiServer api;
  private final NodeRegistrar registrar;
  private final PeerChannels channels;
  private final RemovalWatch removalWatch;
  private final PeerDigestClient peerDigests;
  private final ReplicaVerifier verifier;
  private VerifyScheduler verifyScheduler;
  private volatile LeadershipHealthGuard leadershipGuard;
  private StuckFollowerWatch stuckFollowers;
  private final RedraftMetrics metrics;
  private final NodeReadiness readiness;
  private final LeaderCommitProbe leaderCommit;
  private final CommandValidator validator;
  private AdminHttpServer http;
  private RespServer resp;
  /** Null: TLS off. */
  private final TlsMaterial tls;
  private final Tokens tokens;

  private CoordinatorNode(NodeConfig config) throws Exception {
    this.config = config;
    DataDirectory.secure(config.nodeId(), config.dataDir());
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
    RedisEndpoint redis = new RedisEndpoint(config.redisAddress().host(), config.redisAddress().port(),
        config.redisUser(), config.redisPassword(), REDIS_TIMEOUT);
    RedisPreflight.check(redis, config.redisAllowRemote());
    this.applier = new RedisApplier(redis);
    this.reader = new RedisReader(redis);
    this.tokens = new Tokens(tokenFile, config.tokens().isPresent(), () -> reader.readHash(Tokens.REPLICATED_KEY));
    this.health = new NodeHealth(config.nodeId());
    this.metrics = new RedraftMetrics(config.nodeId(), config.clusterId());
    MemberDirectory members = new MemberDirectory();
    CommandValidator validator = new CommandValidator(new Limits(config.maxRequestBytes(), MAX_ARGS_PER_COMMAND));
    this.stateMachine = new RedraftStateMachine(config.nodeId(), applier, reader,
        new RedisSnapshots(redis), health, members, validator, config.applyBatchMax(), metrics,
        new ApplyRequest.SessionLimits(config.sessionIdleTimeout().toMillis(), config.sessionMax()));
    this.raft = new RaftNode(config, stateMachine, tls);
    this.channels = new PeerChannels(config.nodeId(), members, tls);
    this.peerDigests = new PeerDigestClient(channels);
    this.verifier = new ReplicaVerifier(new RaftClusterView(raft, () -> leadershipGuard), peerDigests,
        new LeaderSnapshotRepair(config.nodeId(), raft, channels, config.dataDir().resolve("repair")), health, metrics);
    stateMachine.setDigestListener(verifier::digestAt);
    this.leaderCommit = new LeaderCommitProbe(config.nodeId(), raft, channels);
    this.readiness = new NodeReadiness(health, this::clusterView, reader::ping, config.readyMaxApplyLag());
    metrics.bindRaft(raft.metricsSource());
    metrics.bindNode(health::isReady, health::needsRepair, reader::ping, reader::sessionCount);
    this.api = new ApiServer(config, raft, validator, health, members, reader::ping, readiness, metrics, channels,
        verifier, tls, tokens);
    this.validator = validator;
    this.removalWatch = new RemovalWatch(config.nodeId(), raft, health, members, channels,
        config.electionTimeoutMax());
    this.registrar = new NodeRegistrar(config.nodeId(), config.apiAddress().toString(),
        config.redisAddress().toString(), raft, members);
  }

  private NodeReadiness.ClusterView clusterView() {
    RaftStatus status = raft.status();
    long leaderCommitIndex = status.leaderId().equals(config.nodeId()) ? status.commitIndex()
        : leaderCommit.commitIndexOf(status.leaderId()).orElse(-1);
    return new NodeReadiness.ClusterView(status.peers().containsKey(config.nodeId()), status.leaderId(),
        status.commitIndex(), status.appliedIndex(), leaderCommitIndex);
  }

  public static CoordinatorNode start(NodeConfig config) throws Exception {
    CoordinatorNode node = new CoordinatorNode(config);
    try {
      // First, so a node stuck in start-up can still be scraped and asked why it is not ready.
      if (config.httpAddress() != null) {
        node.http = new AdminHttpServer(config.httpAddress(), node.metrics, node.readiness);
        node.http.start();
      }
      node.raftHost = RaftHost.start(config, node.tls, List.of(node.raft.hosted()));
      node.raft.start(node.raftHost);
      node.health.markReady();
      node.api.start();
      if (config.respAddress() != null) {
        node.resp = new RespServer(config.respAddress(), node.api.kv(), node.validator, config.nodeId(),
            node.raft::status, config.maxRequestBytes(), config.respPassword(), node.tokens, node.tls);
        node.resp.start();
      }
      node.registrar.start();
      node.removalWatch.start();
      node.leaderCommit.start();
      // About an election timeout: a leader that cannot apply for that long hands over, as a dead
      // leader would be replaced in that time; a shorter Redis blip does not move leadership.
      node.leadershipGuard = LeadershipHealthGuard.of(config.nodeId(), node.raft, node.health,
          new PeerReadinessProbe(node.channels), config.electionTimeoutMax());
      node.leadershipGuard.start();
      node.stuckFollowers = StuckFollowerWatch.of(config.nodeId(), node.raft, config.electionTimeoutMax());
      node.stuckFollowers.start();
      node.verifyScheduler = new VerifyScheduler(config.verifyInterval(), () -> node.raft.membership().isLeader(),
          node.raft::proposeVerify);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    LOG.info("node {} serving: api {}, resp {}, raft {}, redis {}, http {}, data {}", config.nodeId(),
        config.apiAddress(), config.resp().map(Object::toString).orElse("off"), config.raftAddress(),
        config.redisAddress(), config.http().map(Object::toString).orElse("off"), config.dataDir());
    return node;
  }

  public NodeConfig config() {
    return config;
  }

  public RaftNode raft() {
    return raft;
  }

  public NodeHealth health() {
    return health;
  }

  public ReplicaVerifier verifier() {
    return verifier;
  }

  public RedraftMetrics metrics() {
    return metrics;
  }

  public NodeReadiness readiness() {
    return readiness;
  }

  @Override
  public void close() {
    closeQuietly("leadership guard", leadershipGuard);
    closeQuietly("stuck follower watch", stuckFollowers);
    closeQuietly("removal watch", removalWatch);
    closeQuietly("leader commit probe", leaderCommit);
    closeQuietly("verify scheduler", verifyScheduler);
    closeQuietly("registrar", registrar);
    closeQuietly("resp server", resp);
    closeQuietly("api server", api);
    closeQuietly("admin http server", http);
    closeQuietly("verifier", verifier);
    closeQuietly("peer digests", peerDigests);
    closeQuietly("peer channels", channels);
    // Before the Raft server stops: its stop waits for outstanding applies and takes a snapshot, and
    // neither may wait for a Redis that is gone.
    stateMachine.prepareStop();
    closeQuietly("raft group", raft);
    closeQuietly("raft server", raftHost);
    closeQuietly("redis applier", applier);
    closeQuietly("redis reader", reader);
    closeQuietly("metrics", metrics);
    LOG.info("node {} stopped", config.nodeId());
  }

  private static void closeQuietly(String what, AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      LOG.warn("closing the {} failed: {}", what, e.toString());
    } 
  }
}
