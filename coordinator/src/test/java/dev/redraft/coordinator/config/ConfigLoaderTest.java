package dev.redraft.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String[] MINIMAL = {
      "--node-id=n1", "--raft-address=127.0.0.1:7001", "--api-address", "127.0.0.1:8001",
      "--peers=n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003", "--data-dir=/tmp/n1"};

  @Test
  void flagsGiveAFullConfigWithDefaults() {
    NodeConfig config = ConfigLoader.load(MINIMAL, Map.of());
    assertThat(config.nodeId()).isEqualTo("n1");
    assertThat(config.peers()).hasSize(3).containsEntry("n2", new HostPort("127.0.0.1", 7002));
    assertThat(config.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 8001));
    assertThat(config.redisAddress()).isEqualTo(new HostPort("127.0.0.1", 6379));
    assertThat(config.electionTimeoutMin()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.clusterId()).isEqualTo("redraft");
  }

  @Test
  void environmentAndFileUseTheSameKeyNamesAndFlagsWin(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, "# a comment\nredis-address=127.0.0.1:7777\ncluster-id=fromfile\nrequest-timeout-ms=5000\n");
    NodeConfig config = ConfigLoader.load(
        concat(MINIMAL, "--config", file.toString(), "--request-timeout-ms=7000"),
        Map.of("REDRAFT_CLUSTER_ID", "fromenv", "REDRAFT_REDIS_PASSWORD", "secret"));
    assertThat(config.redisAddress().port()).isEqualTo(7777);
    assertThat(config.clusterId()).isEqualTo("fromenv");
    assertThat(config.redisPassword()).isEqualTo("secret");
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(7000));
    assertThat(config.toString()).as("a configuration as it could be logged").doesNotContain("secret")
        .contains("redisPassword=(set)");
  }

  @Test
  void redisUserIsOptionalAndNeedsAPassword() {
    assertThat(ConfigLoader.load(MINIMAL, Map.of()).redisUser()).as("default: Redis' default user").isEmpty();
    NodeConfig config = ConfigLoader.load(MINIMAL, Map.of("REDRAFT_REDIS_USER", "redraft", "REDRAFT_REDIS_PASSWORD", "pw"));
    assertThat(config.redisUser()).isEqualTo("redraft");
    assertThat(config.toString()).contains("redisUser=redraft").doesNotContain("pw");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--redis-user=redraft"), Map.of()))
        .hasMessageContaining("redis-user is redraft").hasMessageContaining("REDRAFT_REDIS_PASSWORD");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--redis-user=two words"), Map.of("REDRAFT_REDIS_PASSWORD", "pw")))
        .hasMessageContaining("redis-user").hasMessageContaining("not a usable Redis user name");
  }

  @Test
  void groupRedisAddressesMakeAShardedNodeWithARedisPerGroup() {
    assertThat(ConfigLoader.load(MINIMAL, Map.of()).groupCount()).as("default: one group").isEqualTo(1);
    NodeConfig config = ConfigLoader.load(concat(MINIMAL, "--group-redis-addresses=127.0.0.1:6380, 127.0.0.1:6381"),
        Map.of());
    assertThat(config.groupCount()).isEqualTo(3);
    assertThat(config.redisAddress(0)).isEqualTo(new HostPort("127.0.0.1", 6379));
    assertThat(config.redisAddress(2)).isEqualTo(new HostPort("127.0.0.1", 6381));
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--group-redis-addresses=127.0.0.1:6379"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("named twice")
        .hasMessageContaining("every group needs a Redis of its own");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--group-redis-addresses=127.0.0.1:6380,nonsense"),
        Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("group-redis-addresses");
  }

  @Test
  void missingRequiredKeyIsNamedWithEveryWayToSetIt() {
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--node-id=n1"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("raft-address is required")
        .hasMessageContaining("REDRAFT_RAFT_ADDRESS");
  }

  @Test
  void badValuesNameTheKeyAndTheAcceptedRange() {
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--election-timeout-min-ms=5"), Map.of()))
        .hasMessageContaining("election-timeout-min-ms").hasMessageContaining("100..60000");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--election-timeout-max-ms=900"), Map.of()))
        .hasMessageContaining("election-timeout-max-ms");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--redis-address=localhost"), Map.of()))
        .hasMessageContaining("redis-address").hasMessageContaining("host:port");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--redis-allow-remote=maybe"), Map.of()))
        .hasMessageContaining("redis-allow-remote");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--max-request-bytes=abc"), Map.of()))
        .hasMessageContaining("max-request-bytes").hasMessageContaining("not a whole number");
  }

  @Test
  void operabilityKeysHaveDefaultsAndAreChecked() {
    NodeConfig defaults = ConfigLoader.load(MINIMAL, Map.of());
    assertThat(defaults.http()).isEmpty();
    assertThat(defaults.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(defaults.logLevel()).isEqualTo("INFO");
    assertThat(defaults.readyMaxApplyLag()).isEqualTo(1000);

    NodeConfig set = ConfigLoader.load(concat(MINIMAL, "--http-address=127.0.0.1:9001", "--log-level=debug"),
        Map.of("REDRAFT_LOG_FORMAT", "json", "REDRAFT_READY_MAX_APPLY_LAG", "5"));
    assertThat(set.http()).contains(new HostPort("127.0.0.1", 9001));
    assertThat(set.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(set.logLevel()).isEqualTo("DEBUG");
    assertThat(set.readyMaxApplyLag()).isEqualTo(5);

    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--log-format=xml"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log-format").hasMessageContaining("text|json");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--log-level=loud"), Map.of()))
        .hasMessageContaining("log-level").hasMessageContaining("error|warn|info|debug|trace");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--http-address=9001"), Map.of()))
        .hasMessageContaining("http-address").hasMessageContaining("host:port");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--ready-max-apply-lag=-1"), Map.of()))
        .hasMessageContaining("ready-max-apply-lag").hasMessageContaining("0..1000000000");
  }

  @Test
  void theClusterPortNeedsARespPortOfItsOwnAndAPasswordBeyondLoopback() {
    assertThat(ConfigLoader.load(MINIMAL, Map.of()).respCluster()).isEmpty();
    NodeConfig set = ConfigLoader.load(concat(MINIMAL, "--resp-address=127.0.0.1:6380",
        "--resp-cluster-address=127.0.0.1:6381"), Map.of());
    assertThat(set.respCluster()).contains(new HostPort("127.0.0.1", 6381));

    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--resp-cluster-address=127.0.0.1:6381"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("resp-cluster-address")
        .hasMessageContaining("needs a resp-address");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--resp-address=127.0.0.1:6380",
        "--resp-cluster-address=127.0.0.1:6380"), Map.of())).hasMessageContaining("a port of its own");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--resp-address=127.0.0.1:6380",
        "--resp-cluster-address=0.0.0.0:6381"), Map.of()))
        .hasMessageContaining("resp-cluster-address: 0.0.0.0:6381 is reachable from other hosts");
    assertThat(ConfigLoader.load(concat(MINIMAL, "--resp-address=127.0.0.1:6380", "--resp-cluster-address=0.0.0.0:6381"),
        Map.of("REDRAFT_RESP_PASSWORD", "secret")).respCluster()).contains(new HostPort("0.0.0.0", 6381));
  }

  @Test
  void peersMustListThisNodeAtItsRaftAddress() {
    String[] args = MINIMAL.clone();
    args[4] = "--peers=n2=127.0.0.1:7002";
    assertThatThrownBy(() -> ConfigLoader.load(args, Map.of())).hasMessageContaining("does not list this node 'n1'");
    args[4] = "--peers=n1=127.0.0.1:9999";
    assertThatThrownBy(() -> ConfigLoader.load(args, Map.of())).hasMessageContaining("must be equal");
    args[4] = "--peers=n1=127.0.0.1:7001,n1=127.0.0.1:7002";
    assertThatThrownBy(() -> ConfigLoader.load(args, Map.of())).hasMessageContaining("listed twice");
  }

  @Test
  void unknownKeysAreRefused(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--nodes-id=x"), Map.of()))
        .hasMessageContaining("unknown option --nodes-id");
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "redis-adress=127.0.0.1:1\n");
    assertThatThrownBy(() -> ConfigLoader.load(concat(MINIMAL, "--config", file.toString()), Map.of()))
        .hasMessageContaining("unknown key 'redis-adress'");
  }

  @Test
  void helpListsEveryKeyWithItsEnvironmentVariable() {
    String help = ConfigLoader.help();
    for (ConfigKey key : ConfigKey.values()) {
      if (key.hidden()) {
        assertThat(help).doesNotContain(key.key());
        continue;
      }
      assertThat(help).contains("--" + key.key()).contains(key.envName());
      key.defaultValue().filter(v -> !v.isEmpty())
          .ifPresent(v -> assertThat(help).contains("default: " + v));
    }
  }

  @Test
  void unsafeReadOptionIsOffByDefaultAndOnlyATestSwitch() {
    assertThat(ConfigLoader.load(MINIMAL, Map.of()).unsafeReadOptionDefault()).isFalse();
    assertThat(ConfigLoader.load(concat(MINIMAL, "--unsafe-read-option-default=true"), Map.of())
        .unsafeReadOptionDefault()).isTrue();
    assertThat(ConfigKey.UNSAFE_READ_OPTION_DEFAULT.hidden()).isTrue();
  }

  private static String[] concat(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
