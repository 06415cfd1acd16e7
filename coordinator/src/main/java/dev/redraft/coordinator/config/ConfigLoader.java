package dev.redraft.coordinator.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a node's configuration from flags, environment variables and an optional file (in that
 * order of precedence; then the defaults), and validates it. Anything wrong stops the node at
 * start with a {@link ConfigException} that names the key.
 */
public final class ConfigLoader {
  /** Groups per cluster: each is a Raft group and a Redis process on every node. */
  static final int MAX_GROUPS = 64;
  /** Flag (only) naming the config file; the file uses {@code key=value} lines. */
  public static final String CONFIG_FILE_FLAG = "config";
  /** Environment variable naming the config file. */
  public static final String CONFIG_FILE_ENV = "REDRAFT_CONFIG";

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private ConfigLoader() {}

  public static NodeConfig load(String[] args, Map<String, String> env) {
    Map<String, String> flags = parseFlags(args);
    String file = flags.remove(CONFIG_FILE_FLAG);
    if (file == null) {
      file = env.get(CONFIG_FILE_ENV);
    }
    Map<String, String> fromFile = file == null ? Map.of() : readFile(Path.of(file));

    Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
    for (ConfigKey key : ConfigKey.values()) {
      String value = flags.remove(key.key());
      if (value == null) {
        value = env.get(key.envName());
      }
      if (value == null) {
        value = fromFile.get(key.key());
      }
      if (value == null) {
        value = key.defaultValue().orElse(null);
      }
      if (value != null) {
        raw.put(key, value.trim());
      }
    }
    if (!flags.isEmpty()) {
      throw new ConfigException("unknown option --" + flags.keySet().iterator().next() + ": see --help for every key");
    }
    for (String fileKey : fromFile.keySet()) {
      if (ConfigKey.byKey(fileKey).isEmpty()) {
        throw new ConfigException("unknown key '" + fileKey + "' in " + file + ": see --help for every key");
      }
    }
    return validate(raw);
  }

  /** The text of {@code --help}: every key, its environment variable and default. */
  public static String help() {
    StringBuilder out = new StringBuilder();
    out.append("Usage: redraft-coordinator [--config FILE] [--KEY=VALUE ...]\n\n")
        .append("Every key can also be set as an environment variable (REDRAFT_KEY) or as a line\n")
        .append("'key=value' in the config file (--config FILE or REDRAFT_CONFIG). Flags win over the\n")
        .append("environment, which wins over the file.\n\n");
    for (ConfigKey key : ConfigKey.values()) {
      if (key.hidden()) {
        continue;
      }
      out.append(String.format("  --%-26s %s%n", key.key(), key.description()));
      out.append(String.format("  %-28s env %s; default: %s%n", "", key.envName(),
          key.defaultValue().map(v -> v.isEmpty() ? "(empty)" : v).orElse("none")));
    }
    return out.toString();
  }

  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException("unexpected argument '" + arg + "': options are --key=value or --key value");
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      if (eq >= 0) {
        flags.put(body.substring(0, eq), body.substring(eq + 1));
      } else if (i + 1 < args.length) {
        flags.put(body, args[++i]);
      } else {
        throw new ConfigException("option --" + body + " needs a value");
      }
    }
    return flags;
  }

  private static Map<String, String> readFile(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      props.load(reader);
    } catch (IOException e) {
      throw new ConfigException("config: cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(name -> values.put(name, props.getProperty(name)));
    return values;
  }

  private static NodeConfig validate(Map<ConfigKey, String> raw) {
    String nodeId = required(raw, ConfigKey.NODE_ID);
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException(ConfigKey.NODE_ID.key() + ": '" + nodeId
          + "' is not a valid id: use 1 to 64 letters, digits, '-' or '_'");
    }
    String clusterId = required(raw, ConfigKey.CLUSTER_ID);
    if (!NODE_ID.matcher(clusterId).matches()) {
      throw new ConfigException(ConfigKey.CLUSTER_ID.key() + ": '" + clusterId
          + "' is not valid: use 1 to 64 letters, digits, '-' or '_'");
    }
    HostPort raftAddress = HostPort.parse(ConfigKey.RAFT_ADDRESS.key(), required(raw, ConfigKey.RAFT_ADDRESS));
    HostPort apiAddress = HostPort.parse(ConfigKey.API_ADDRESS.key(), required(raw, ConfigKey.API_ADDRESS));
    Map<String, HostPort> peers = parsePeers(required(raw, ConfigKey.PEERS));
    boolean joinExisting = switch (required(raw, ConfigKey.INITIAL_CLUSTER_STATE)) {
      case "new" -> false;
      case "existing" -> true;
      default -> throw new ConfigException(ConfigKey.INITIAL_CLUSTER_STATE.key() + ": '"
          + raw.get(ConfigKey.INITIAL_CLUSTER_STATE) + "' is not new or existing");
    };
    HostPort self = peers.get(nodeId);
    if (self == null && joinExisting) {
      self = raftAddress;
    }
    if (self == null) {
      throw new ConfigException(ConfigKey.PEERS.key() + ": does not list this node '" + nodeId
          + "': add " + nodeId + "=" + raftAddress);
    }
    if (!self.equals(raftAddress)) {
      throw new ConfigException(ConfigKey.PEERS.key() + ": lists " + nodeId + "=" + self + " but "
          + ConfigKey.RAFT_ADDRESS.key() + " is " + raftAddress + ": they must be equal");
    }
    HostPort redisAddress = HostPort.parse(ConfigKey.REDIS_ADDRESS.key(), required(raw, ConfigKey.REDIS_ADDRESS));
    List<HostPort> groupRedisAddresses = groupRedisAddresses(raw, redisAddress);
    String dataDir = required(raw, ConfigKey.DATA_DIR);
    int electionMin = intInRange(raw, ConfigKey.ELECTION_TIMEOUT_MIN_MS, 100, 60_000);
    int electionMax = intInRange(raw, ConfigKey.ELECTION_TIMEOUT_MAX_MS, electionMin + 1, 120_000);
    HostPort respAddress = optionalHostPort(raw, ConfigKey.RESP_ADDRESS);
    String respPassword = raw.getOrDefault(ConfigKey.RESP_PASSWORD, "");
    requireRespPasswordOffLoopback(raw, ConfigKey.RESP_ADDRESS, respAddress, "the RESP port");
    HostPort respClusterAddress = optionalHostPort(raw, ConfigKey.RESP_CLUSTER_ADDRESS);
    if (respClusterAddress != null && respAddress == null) {
      throw new ConfigException(ConfigKey.RESP_CLUSTER_ADDRESS.key() + ": " + respClusterAddress + " needs a "
          + ConfigKey.RESP_ADDRESS.key() + " too (the port plain Redis clients use): set " + ConfigKey.RESP_ADDRESS.key()
          + ", or leave " + ConfigKey.RESP_CLUSTER_ADDRESS.key() + " empty");
    }
    if (respClusterAddress != null && respClusterAddress.equals(respAddress)) {
      throw new ConfigException(ConfigKey.RESP_CLUSTER_ADDRESS.key() + " and " + ConfigKey.RESP_ADDRESS.key()
          + " are both " + respAddress + ": give the cluster port a port of its own");
    }
    requireRespPasswordOffLoopback(raw, ConfigKey.RESP_CLUSTER_ADDRESS, respClusterAddress, "the cluster port");
    TlsFiles tls = tlsFiles(raw);
    String redisUser = raw.getOrDefault(ConfigKey.REDIS_USER, "");
    String redisPassword = raw.getOrDefault(ConfigKey.REDIS_PASSWORD, "");
    if (!redisUser.isEmpty() && !redisUser.matches("[A-Za-z0-9_.@:-]{1,64}")) {
      throw new ConfigException(ConfigKey.REDIS_USER.key() + ": '" + redisUser + "' is not a usable Redis user name:"
          + " use 1 to 64 letters, digits or '_.@:-'");
    }
    if (!redisUser.isEmpty() && redisPassword.isEmpty()) {
      throw new ConfigException(ConfigKey.REDIS_USER.key() + " is " + redisUser + " but no "
          + ConfigKey.REDIS_PASSWORD.key() + " is set: set that user's password (environment variable "
          + ConfigKey.REDIS_PASSWORD.envName() + ")");
    }
    return new NodeConfig(
        nodeId,
        clusterId,
        raftAddress,
        apiAddress,
        peers,
        redisAddress,
        groupRedisAddresses,
        redisUser,
        redisPassword,
        bool(raw, ConfigKey.REDIS_ALLOW_REMOTE),
        Path.of(dataDir),
        Duration.ofMillis(electionMin),
        Duration.ofMillis(electionMax),
        Duration.ofMillis(intInRange(raw, ConfigKey.REQUEST_TIMEOUT_MS, 100, 600_000)),
        intInRange(raw, ConfigKey.MAX_REQUEST_BYTES, 1024, 3 * 1024 * 1024),
        intInRange(raw, ConfigKey.MAX_BATCH_COMMANDS, 1, 100_000),
        intInRange(raw, ConfigKey.APPLY_BATCH_MAX, 1, 10_000),
        joinExisting,
        intInRange(raw, ConfigKey.SNAPSHOT_THRESHOLD, 100, 100_000_000),
        intInRange(raw, ConfigKey.SNAPSHOT_RETAIN, 1, 100),
        intInRange(raw, ConfigKey.LOG_SEGMENT_SIZE_BYTES, 1024 * 1024, 1024 * 1024 * 1024),
        verifyInterval(raw),
        optionalHostPort(raw, ConfigKey.HTTP_ADDRESS),
        respAddress,
        respClusterAddress,
        respPassword,
        intInRange(raw, ConfigKey.READY_MAX_APPLY_LAG, 0, 1_000_000_000),
        bool(raw, ConfigKey.COMMIT_HEARTBEATS),
        Duration.ofMillis(intInRange(raw, ConfigKey.SESSION_IDLE_TIMEOUT_MS, 1_000, 2_000_000_000)),
        intInRange(raw, ConfigKey.SESSION_MAX, 1, 100_000_000),
        oneOf(raw, ConfigKey.LOG_FORMAT, LogFormat.class),
        oneOf(raw, ConfigKey.LOG_LEVEL, LogLevel.class).name(),
        tls,
        tokensFile(raw, tls),
        bool(raw, ConfigKey.UNSAFE_READ_OPTION_DEFAULT));
  }

  /** Sharding: the Redis of groups 1, 2, ...; each group needs a Redis of its own. */
  private static List<HostPort> groupRedisAddresses(Map<ConfigKey, String> raw, HostPort redisAddress) {
    String value = raw.getOrDefault(ConfigKey.GROUP_REDIS_ADDRESSES, "").trim();
    if (value.isEmpty()) {
      return List.of();
    }
    List<HostPort> addresses = new ArrayList<>();
    Set<HostPort> seen = new HashSet<>(List.of(redisAddress));
    for (String item : value.split(",")) {
      HostPort address = HostPort.parse(ConfigKey.GROUP_REDIS_ADDRESSES.key(), item.trim());
      if (!seen.add(address)) {
        throw new ConfigException(ConfigKey.GROUP_REDIS_ADDRESSES.key() + ": " + address + " is named twice (or is "
            + ConfigKey.REDIS_ADDRESS.key() + "): every group needs a Redis of its own");
      }
      addresses.add(address);
    }
    if (addresses.size() + 1 > MAX_GROUPS) {
      throw new ConfigException(ConfigKey.GROUP_REDIS_ADDRESSES.key() + ": " + (addresses.size() + 1)
          + " groups; at most " + MAX_GROUPS + " are supported");
    }
    return addresses;
  }

  /** All three TLS files, or none (TLS off); the files themselves are read when the node starts. */
  private static TlsFiles tlsFiles(Map<ConfigKey, String> raw) {
    List<ConfigKey> keys = List.of(ConfigKey.TLS_CERT, ConfigKey.TLS_KEY, ConfigKey.TLS_CA);
    List<ConfigKey> set = keys.stream().filter(k -> !raw.getOrDefault(k, "").isEmpty()).toList();
    if (set.isEmpty()) {
      return null;
    }
    if (set.size() < keys.size()) {
      ConfigKey missing = keys.stream().filter(k -> !set.contains(k)).findFirst().orElseThrow();
      throw new ConfigException(missing.key() + " is required when " + set.get(0).key() + " is set: TLS needs "
          + "tls-cert, tls-key and tls-ca together (or none of them for no TLS)");
    }
    return new TlsFiles(Path.of(raw.get(ConfigKey.TLS_CERT)), Path.of(raw.get(ConfigKey.TLS_KEY)),
        Path.of(raw.get(ConfigKey.TLS_CA)));
  }

  /** A token crosses the network with every call: only over TLS. */
  private static Path tokensFile(Map<ConfigKey, String> raw, TlsFiles tls) {
    String file = raw.getOrDefault(ConfigKey.TOKENS_FILE, "");
    if (file.isEmpty()) {
      return null;
    }
    if (tls == null) {
      throw new ConfigException(ConfigKey.TOKENS_FILE.key() + " needs TLS (" + ConfigKey.TLS_CERT.key() + ", "
          + ConfigKey.TLS_KEY.key() + ", " + ConfigKey.TLS_CA.key() + "): without it every token would cross the"
          + " network in clear text");
    }
    return Path.of(file);
  }

  private static Duration verifyInterval(Map<ConfigKey, String> raw) {
    if ("0".equals(raw.get(ConfigKey.VERIFY_INTERVAL_MS))) {
      return Duration.ZERO;
    }
    return Duration.ofMillis(intInRange(raw, ConfigKey.VERIFY_INTERVAL_MS, 500, 86_400_000));
  }

  static Map<String, HostPort> parsePeers(String value) {
    Map<String, HostPort> peers = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(ConfigKey.PEERS.key() + ": '" + entry + "' is not id=host:port");
      }
      String id = entry.substring(0, eq);
      if (!NODE_ID.matcher(id).matches()) {
        throw new ConfigException(ConfigKey.PEERS.key() + ": '" + id + "' is not a valid node id");
      }
      if (peers.put(id, HostPort.parse(ConfigKey.PEERS.key(), entry.substring(eq + 1))) != null) {
        throw new ConfigException(ConfigKey.PEERS.key() + ": node '" + id + "' is listed twice");
      }
    }
    if (peers.isEmpty()) {
      throw new ConfigException(ConfigKey.PEERS.key() + ": no peers given: list id=host:port of every node");
    }
    return peers;
  }

  private static String required(Map<ConfigKey, String> raw, ConfigKey key) {
    String value = raw.get(key);
    if (value == null || value.isEmpty()) {
      throw new ConfigException(key.key() + " is required: pass --" + key.key() + "=..., set " + key.envName()
          + ", or put " + key.key() + "=... in the config file");
    }
    return value;
  }

  private static int intInRange(Map<ConfigKey, String> raw, ConfigKey key, int min, int max) {
    String value = required(raw, key);
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key.key() + ": '" + value + "' is not a whole number (accepted: " + min + ".." + max + ")");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key.key() + ": " + parsed + " is out of range (accepted: " + min + ".." + max + ")");
    }
    return parsed;
  }

  private enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

  /** A RESP port other hosts can reach needs a password (with TLS, a certificate or a token will do). */
  private static void requireRespPasswordOffLoopback(Map<ConfigKey, String> raw, ConfigKey key, HostPort address,
      String port) {
    if (address != null && raw.getOrDefault(ConfigKey.RESP_PASSWORD, "").isEmpty()
        && raw.getOrDefault(ConfigKey.TLS_CERT, "").isEmpty() && !HostPort.isLoopback(address.host())) {
      throw new ConfigException(key.key() + ": " + address + " is reachable from other hosts but no "
          + ConfigKey.RESP_PASSWORD.key() + " is set: set one (environment variable " + ConfigKey.RESP_PASSWORD.envName()
          + "), or bind " + port + " to 127.0.0.1");
    }
  }

  private static HostPort optionalHostPort(Map<ConfigKey, String> raw, ConfigKey key) {
    String value = raw.getOrDefault(key, "");
    return value.isEmpty() ? null : HostPort.parse(key.key(), value);
  }

  private static <E extends Enum<E>> E oneOf(Map<ConfigKey, String> raw, ConfigKey key, Class<E> type) {
    String value = required(raw, key);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    StringBuilder accepted = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      accepted.append(accepted.length() == 0 ? "" : "|").append(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new ConfigException(key.key() + ": '" + value + "' is not accepted (accepted: " + accepted + ")");
  }

  private static boolean bool(Map<ConfigKey, String> raw, ConfigKey key) {
    String value = required(raw, key);
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ConfigException(key.key() + ": '" + value + "' is not true or false");
  }

}
