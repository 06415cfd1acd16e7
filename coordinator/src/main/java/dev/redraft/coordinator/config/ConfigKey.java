package dev.redraft.coordinator.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key of a coordinator node, with its default and what it accepts. The same
 * name works as a flag ({@code --node-id=n1}), an environment variable ({@code REDRAFT_NODE_ID})
 * and a line of the config file ({@code node-id=n1}).
 */
public enum ConfigKey {
  NODE_ID("node-id", null, "This node's id: letters, digits, '-' and '_' (required)."),
  CLUSTER_ID("cluster-id", "redraft", "Name of the cluster; every node of a cluster uses the same one."),
  RAFT_ADDRESS("raft-address", null, "host:port this node's Raft server listens on (required)."),
  API_ADDRESS("api-address", null, "host:port of the public gRPC API (KV and Admin services) (required)."),
  PEERS("peers", null,
      "The initial cluster: id=host:port of every node's Raft address, comma-separated, this node included (required)."),
  REDIS_ADDRESS("redis-address", "127.0.0.1:6379", "host:port of this node's own Redis."),
  GROUP_REDIS_ADDRESSES("group-redis-addresses", "",
      "Sharding: host:port of this node's Redis for each further Raft group (groups 1, 2, ...), comma-separated;"
          + " redis-address serves group 0. Every node of a cluster names the same number of groups, and the 16384"
          + " key slots are split evenly over them. Empty: one group (no sharding)."),
  REDIS_USER("redis-user", "",
      "Redis ACL user the coordinator logs in as, with redis-password: one allowed only the commands Redraft needs"
          + " (see README, Security). Empty: Redis' default user (requirepass)."),
  REDIS_PASSWORD("redis-password", "",
      "Password of redis-user, or of the default user if redis-user is empty (prefer the environment variable"
          + " REDRAFT_REDIS_PASSWORD)."),
  REDIS_ALLOW_REMOTE("redis-allow-remote", "false",
      "Allow a Redis bound to a non-loopback address (true|false). Off: only the coordinator may write its Redis."),
  DATA_DIR("data-dir", null, "Directory for the Raft log and snapshots (required)."),
  ELECTION_TIMEOUT_MIN_MS("election-timeout-min-ms", "1000", "Minimum Raft election timeout in ms (100..60000)."),
  ELECTION_TIMEOUT_MAX_MS("election-timeout-max-ms", "2000",
      "Maximum Raft election timeout in ms (greater than election-timeout-min-ms, up to 120000)."),
  REQUEST_TIMEOUT_MS("request-timeout-ms", "10000", "How long a write or read may take inside the cluster, in ms (100..600000)."),
  MAX_REQUEST_BYTES("max-request-bytes", "1048576",
      "Largest write request (all arguments of all commands) in bytes (1024..3145728)."),
  MAX_BATCH_COMMANDS("max-batch-commands", "1000", "Most commands in one atomic batch (1..100000)."),
  APPLY_BATCH_MAX("apply-batch-max", "256", "Most log entries applied to Redis in one round trip (1..10000)."),
  INITIAL_CLUSTER_STATE("initial-cluster-state", "new",
      "new: this node is one of the peers forming a new cluster; existing: it joins a running cluster, whose"
          + " members peers lists (add it with 'redraft member add' once it runs)."),
  SNAPSHOT_THRESHOLD("snapshot-threshold", "10000",
      "Take a snapshot of the Redis state every this many log entries; the log before it is then purged (100..100000000)."),
  SNAPSHOT_RETAIN("snapshot-retain", "2", "How many snapshots to keep on disk (1..100)."),
  LOG_SEGMENT_SIZE_BYTES("log-segment-size-bytes", "8388608",
      "Size of one Raft log segment file; whole segments are purged after a snapshot (1048576..1073741824)."),
  VERIFY_INTERVAL_MS("verify-interval-ms", "60000",
      "How often the leader starts a verification round comparing every replica's Redis digest, in ms; 0 turns"
          + " periodic rounds off (redraft verify still runs one) (0 or 500..86400000)."),
  HTTP_ADDRESS("http-address", "",
      "host:port of the admin HTTP server: /metrics (Prometheus), /livez, /readyz. Empty: no HTTP server."),
  RESP_ADDRESS("resp-address", "",
      "host:port of the Redis-protocol (RESP) port, for redis-cli and any Redis client; TLS when the node has"
          + " tls-cert. Empty: no RESP port."),
  RESP_CLUSTER_ADDRESS("resp-cluster-address", "",
      "host:port of the RESP port for cluster-aware Redis clients (redis-py's RedisCluster, JedisCluster, redis-cli -c):"
          + " a key whose group another node leads is answered -MOVED to that leader's port, as a Redis Cluster node"
          + " answers; CLUSTER SLOTS names these ports. Needs resp-address (same password and TLS). Empty: none."),
  RESP_PASSWORD("resp-password", "",
      "Password RESP clients give with AUTH (prefer the environment variable REDRAFT_RESP_PASSWORD). Empty: no AUTH"
          + " needed, allowed only when resp-address is a loopback address."),
  COMMIT_HEARTBEATS("commit-heartbeats", "true",
      "true: the leader tells a caught-up follower of a commit within ~2 ms (a heartbeat when no entry carried it),"
          + " so a lone client of a follower does not wait for Ratis' periodic heartbeat (~500 ms per write);"
          + " false: Ratis' own timing (true|false)."),
  READY_MAX_APPLY_LAG("ready-max-apply-lag", "1000",
      "/readyz and the gRPC health service report not ready while more committed entries than this await apply (0..1000000000)."),
  SESSION_IDLE_TIMEOUT_MS("session-idle-timeout-ms", "86400000",
      "A client session idle this long (by the log's logical time) is dropped; a retry after that is refused as"
          + " outcome unknown. The leader writes it into each entry (1000..2000000000)."),
  SESSION_MAX("session-max", "1000000",
      "Most client sessions kept; a new one beyond it evicts the least recently used. The leader writes it into"
          + " each entry (1..100000000)."),
  LOG_FORMAT("log-format", "text", "Log format on stdout: text (one line per event) or json (one JSON object per line)."),
  LOG_LEVEL("log-level", "INFO", "Level of Redraft's own logs: ERROR, WARN, INFO, DEBUG or TRACE."),
  TLS_CERT("tls-cert", "",
      "PEM file with this node's certificate (then its intermediates), signed by tls-ca, with OU=node in its subject,"
          + " for serverAuth and clientAuth. With tls-key and tls-ca: the API and Raft ports use mutual TLS. Empty: no TLS (insecure)."),
  TLS_KEY("tls-key", "", "PEM file with the unencrypted PKCS#8 private key of tls-cert; keep it owner-only (0600)."),
  TLS_CA("tls-ca", "",
      "PEM file with the cluster CA certificate(s): peers (OU=node) and API callers (OU=read, readwrite or admin, or a"
          + " token) present a certificate signed by one."),
  TOKENS_FILE("tokens-file", "",
      "File of bearer tokens API callers may present instead of a client certificate: lines 'NAME ROLE SHA256'"
          + " (role read, readwrite or admin; the token's hex SHA-256, never the token). Needs TLS. Set (even to an"
          + " empty file), the node also honours tokens granted through the log (redraft token add). Empty: none."),
  /**
   * Test-only, hidden from {@code --help}: serve linearizable reads with Ratis' DEFAULT read option,
   * which answers from a deposed leader's stale state. It exists only so the fault-injection
   * harness can prove that its checker flags stale reads (a harness self-test). Never use it in
   * production.
   */
  UNSAFE_READ_OPTION_DEFAULT("unsafe-read-option-default", "false",
      "TEST ONLY (harness self-test): use Ratis' non-linearizable DEFAULT read option and skip the leadership"
          + " confirmation, so reads can be stale. Never in production.", true);

  private final String key;
  private final String defaultValue;
  private final String description;
  private final boolean hidden;

  ConfigKey(String key, String defaultValue, String description) {
    this(key, defaultValue, description, false);
  }

  ConfigKey(String key, String defaultValue, String description, boolean hidden) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
    this.hidden = hidden;
  }

  /** The key as written in flags and config files, e.g. {@code node-id}. */
  public String key() {
    return key;
  }

  /** The environment variable, e.g. {@code REDRAFT_NODE_ID}. */
  public String envName() {
    return "REDRAFT_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }

  /** Test-only keys are accepted but not listed by {@code --help}. */
  public boolean hidden() {
    return hidden;
  }

  public static Optional<ConfigKey> byKey(String key) {
    return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
  }
}
