package dev.redraft.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The whole, validated configuration of one coordinator node. Built by {@link ConfigLoader}. */
public record NodeConfig(
    String nodeId,
    String clusterId,
    HostPort raftAddress,
    HostPort apiAddress,
    Map<String, HostPort> peers,
    HostPort redisAddress,
    String redisPassword,
    boolean redisAllowRemote,
    Path dataDir,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    int maxRequestBytes,
    int maxBatchCommands,
    int applyBatchMax,
    /** Test-only harness self-test switch ({@link ConfigKey#UNSAFE_READ_OPTION_DEFAULT}); false in production. */
    boolean unsafeReadOptionDefault) {

  public NodeConfig {
    peers = Map.copyOf(peers);
  }
}
