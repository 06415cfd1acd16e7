package dev.redraft.coordinator.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Reads on the RESP port are linearizable unless a connection opts in with READONLY (as on a Redis
 * Cluster replica): a node cut off from the majority refuses a default read, and answers a READONLY
 * connection from its own Redis.
 */
class RespStaleReadsIT {
  @TempDir
  Path dir;

  @Test
  void readonlyConnectionsReadThisNodeWhenNoMajorityAnswers() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, Map.of("request-timeout-ms", "2000"))) {
      int leader = cluster.awaitLeader();
      int survivor = (leader + 1) % 3;
      try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", cluster.respPort(survivor)),
          DefaultJedisClientConfig.builder().timeoutMillis(20_000).build())) {
        jedis.set("stale:k", "v1");
        cluster.awaitSameAppliedIndex();
        cluster.stopNode(leader);
        cluster.stopNode((leader + 2) % 3);

        assertThatThrownBy(() -> jedis.get("stale:k")).as("a linearizable read without a majority")
            .hasMessageStartingWith("TRYAGAIN");
        assertThat(jedis.readonly()).isEqualTo("OK");
        assertThat(jedis.get("stale:k")).as("a READONLY read from the node's own Redis").isEqualTo("v1");
        assertThat(jedis.clientInfo()).contains("reads=stale");
        assertThat(jedis.readwrite()).isEqualTo("OK");
        assertThatThrownBy(() -> jedis.get("stale:k")).hasMessageStartingWith("TRYAGAIN");
      }
    }
  }
}
