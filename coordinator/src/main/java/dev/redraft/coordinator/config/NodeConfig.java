package dev.redraft.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
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
  }

  /** Every field but the passwords (a secret never goes into a log line). */
  @Override
  public String toString() {
    return "NodeConfig[nodeId=" + nodeId + ", clusterId=" + clusterId + ", raftAddress=" + raftAddress
        + ", apiAddress=" + apiAddress + ", peers=" + peers + ", redisAddress=" + redisAddress + ", redisUser="
        + (redisUser == null || redisUser.isEmpty() ? "(default)" : redisUser) + ", redisPassword="
        + (redisPassword == null || redisPassword.isEmpty() ? "(none)" : "(set)") + ", respAddress=" + respAddress
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
}
