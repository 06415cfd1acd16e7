package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.Watch;
import dev.redraft.client.WriteResult;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WATCH through the gRPC API: a batch sent with a watch runs only if no watched key changed, decided
 * at apply time; digests depend on content only (not on how a hash or set was built), so every
 * replica decides alike.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WatchTest {
  @TempDir
  Path dir;

  @Test
  void batchRunsOnlyIfNoWatchedKeyChanged() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      client.command("HSET", "h1", "a", "1", "b", "2");
      client.command("HSET", "h2", "b", "2", "a", "1");
      client.command("SADD", "s1", "x", "y", "z");
      client.command("SADD", "s2", "z", "x", "y");
      Watch hashes = client.watch("h1", "h2", "s1", "s2", "missing");
      List<com.google.protobuf.ByteString> digests = List.copyOf(hashes.digests().values());
      assertThat(digests.get(0)).as("same hash content, built in another order").isEqualTo(digests.get(1));
      assertThat(digests.get(2)).as("same set content, built in another order").isEqualTo(digests.get(3));
      assertThat(digests.get(0)).isNotEqualTo(digests.get(2));

      Watch watch = client.watch("h1", "missing");
      WriteResult ran = client.batchIfUnchanged(watch, List.of(Commands.of("HSET", "h1", "c", "3")));
      assertThat(ran.watchFailed()).isFalse();
      assertThat(ran.replies()).hasSize(1);

      // h1 changed by the batch itself: the same watch is stale now.
      WriteResult refused = client.batchIfUnchanged(watch, List.of(Commands.of("SET", "missing", "now")));
      assertThat(refused.watchFailed()).isTrue();
      assertThat(refused.replies()).isEmpty();
      assertThat(client.command("EXISTS", "missing").getInteger()).as("nothing of a refused batch ran").isZero();

      assertThatThrownBy(() -> client.watch("__redraft:applied")).hasMessageContaining("reserved");

      cluster.awaitSameAppliedIndex();
      assertThat(cluster.digest(1)).isEqualTo(cluster.digest(0));
      assertThat(cluster.digest(2)).isEqualTo(cluster.digest(0));
    }
  }
}
