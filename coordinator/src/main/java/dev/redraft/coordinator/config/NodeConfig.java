package dev.redraft.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole, validated configuration of one coordinator node. Built by {@link ConfigLoader}; every
 * field is documented at its {@link ConfigKey}. {@code httpAddress} is null when the admin HTTP
 * server is off, {@code respAddress} when the RESP port is.
 */
public record NodeConfig(
    String nodeId,
    String clusterId,
    HostPort raftAddress,
    HostPort apiAddress,
    Map<String, HostPort> peers,
    HostPort redisAddress,
    /** The Redis of groups 1, 2, ... (empty: one group, served by redisAddress). */
    List<HostPort> groupRedisAddresses,
    /** Empty: Redis' default user. */
    String redisUser,
    String redisPassword,
    boolean redisAllowRemote,
    Path dataDir,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    int maxRequestBytes,
    int maxBatchCommands,
    int applyBatchMax,
    boolean joinExisting,
    int snapshotThreshold,
    int snapshotRetain,
    int logSegmentSizeBytes,
    Duration verifyInterval,
    HostPort httpAddress,
    HostPort respAddress,
    /** Null: no RESP port for cluster-aware clients (answering -MOVED). */
    HostPort respClusterAddress,
    String respPassword,
    long readyMaxApplyLag,
    boolean commitHeartbeats,
    Duration sessionIdleTimeout,
    int sessionMax,
    LogFormat logFormat,
    String logLevel,
    /** Null when TLS is off. */
    TlsFiles tls,
    /** Null when no tokens are accepted. */
    Path tokensFile,
    /** Test-only harness self-test switch ({@link ConfigKey#UNSAFE_READ_OPTION_DEFAULT}); false in production. */
    boolean unsafeReadOptionDefault) {

  public NodeConfig {
    peers = Map.copyOf(peers);
    groupRedisAddresses = List.copyOf(groupRedisAddresses);
  }

  /** How many Raft groups the cluster has (1: unsharded). */
  public int groupCount() {
    return 1 + groupRedisAddresses.size();
  }

  /** This node's Redis for {@code group} (0 = redisAddress). */
  public HostPort redisAddress(int group) {
    return group == 0 ? redisAddress : groupRedisAddresses.get(group - 1);
  }

  /** Every field but the passwords (a secret never goes into a log line). */
  @Override
  public String toString() {
    return "NodeConfig[nodeId=" + nodeId + ", clusterId=" + clusterId + ", raftAddress=" + raftAddress
        + ", apiAddress=" + apiAddress + ", peers=" + peers + ", redisAddress=" + redisAddress
        + (groupRedisAddresses.isEmpty() ? "" : ", groupRedisAddresses=" + groupRedisAddresses) + ", redisUser="
        + (redisUser == null || redisUser.isEmpty() ? "(default)" : redisUser) + ", redisPassword="
        + (redisPassword == null || redisPassword.isEmpty() ? "(none)" : "(set)") + ", respAddress=" + respAddress
        + (respClusterAddress == null ? "" : ", respClusterAddress=" + respClusterAddress)
        + ", respPassword=" + (respPassword == null || respPassword.isEmpty() ? "(none)" : "(set)") + ", dataDir="
        + dataDir + ", tls=" + tls + ", tokensFile=" + tokensFile + ", ...]";
  }

  public Optional<TlsFiles> tlsFiles() {
    return Optional.ofNullable(tls);
  }

  public Optional<Path> tokens() {
    return Optional.ofNullable(tokensFile);
  }

  public Optional<HostPort> http() {
    return Optional.ofNullable(httpAddress);
  }

  public Optional<HostPort> resp() {
    return Optional.ofNullable(respAddress);
  }

  public Optional<HostPort> respCluster() {
    return Optional.ofNullable(respClusterAddress);
  }
}
