package dev.redraft.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.AdminHttp;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes a real node's /metrics and checks the documented series exist and move with traffic:
 * requests and their histograms, errors by kind, Raft role, term, indices, Redis round trips and
 * health, client sessions, and the snapshot and verification meters other components record.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MetricsEndpointTest {
  private static final Map<String, String> NONE = Map.of();

  @TempDir
  Path dir;

  @Test
  void seriesMoveWithTraffic() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, dir)) {
      String url = cluster.httpUrl(0) + "/metrics";
      RedraftClient client = cluster.client();
      client.set("warmup", "1");
      String before = AdminHttp.get(url).body();

      for (int i = 0; i < 5; i++) {
        client.incr("counter");
      }
      client.get("counter");
      assertThatThrownBy(() -> client.write(Commands.of("SPOP", "set"))).isNotNull();

      AdminHttp.Response response = AdminHttp.get(url);
      assertThat(response.status()).isEqualTo(200);
      String after = response.body();

      Map<String, String> writeOk = Map.of("op", "write", "outcome", "ok");
      assertThat(AdminHttp.value(after, "redraft_requests_seconds_count", writeOk))
          .isGreaterThanOrEqualTo(AdminHttp.value(before, "redraft_requests_seconds_count", writeOk) + 5);
      assertThat(AdminHttp.value(after, "redraft_requests_seconds_count", Map.of("op", "read", "outcome", "ok")))
          .isGreaterThanOrEqualTo(1);
      // A latency histogram, with Prometheus buckets.
      assertThat(AdminHttp.value(after, "redraft_requests_seconds_bucket", Map.of("op", "write", "outcome", "ok", "le", "+Inf")))
          .isGreaterThanOrEqualTo(6);
      assertThat(AdminHttp.value(after, "redraft_request_errors_total",
          Map.of("op", "write", "kind", "invalid_argument"))).isEqualTo(1);

      assertThat(AdminHttp.value(after, "redraft_raft_role", Map.of("role", "LEADER"))).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_raft_role", Map.of("role", "FOLLOWER"))).isZero();
      assertThat(AdminHttp.value(after, "redraft_raft_term", NONE)).isGreaterThanOrEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_raft_leader_changes_total", NONE)).isGreaterThanOrEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_raft_applied_index", NONE))
          .isGreaterThanOrEqualTo(AdminHttp.value(before, "redraft_raft_applied_index", NONE) + 5);
      assertThat(AdminHttp.value(after, "redraft_raft_commit_index", NONE))
          .isGreaterThanOrEqualTo(AdminHttp.value(after, "redraft_raft_applied_index", NONE));
      assertThat(AdminHttp.sample(after, "redraft_raft_apply_lag", NONE)).isPresent();
      assertThat(AdminHttp.value(after, "redraft_raft_log_entries", NONE))
          .isGreaterThanOrEqualTo(AdminHttp.value(before, "redraft_raft_log_entries", NONE) + 5);
      assertThat(AdminHttp.value(after, "redraft_raft_log_size_bytes", NONE)).isPositive();
      assertThat(AdminHttp.sample(after, "redraft_raft_elections_started_total", NONE)).isPresent();
      assertThat(AdminHttp.value(after, "redraft_applied_entries_total", NONE)).isGreaterThanOrEqualTo(6);

      assertThat(AdminHttp.value(after, "redraft_redis_roundtrip_seconds_count", Map.of("op", "apply")))
          .isGreaterThan(AdminHttp.value(before, "redraft_redis_roundtrip_seconds_count", Map.of("op", "apply")));
      assertThat(AdminHttp.value(after, "redraft_redis_roundtrip_seconds_count", Map.of("op", "read")))
          .isGreaterThanOrEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_redis_up", NONE)).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_node_ready", NONE)).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_node_diverged", NONE)).isZero();
      assertThat(AdminHttp.value(after, "redraft_client_sessions", NONE)).isGreaterThanOrEqualTo(1);
      assertThat(after).contains("node=\"n1\"").contains("cluster=\"redraft\"");
      assertThat(AdminHttp.sample(after, "jvm_memory_used_bytes", NONE)).isPresent();
    }
  }

  @Test
  void snapshotAndVerificationMetersAreExposed() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, dir)) {
      String url = cluster.httpUrl(0) + "/metrics";
      String before = AdminHttp.get(url).body();
      assertThat(AdminHttp.value(before, "redraft_snapshot_seconds_count", NONE)).isZero();
      assertThat(AdminHttp.value(before, "redraft_verifications_total", Map.of("result", "mismatch"))).isZero();

      RedraftMetrics metrics = cluster.node(0).metrics();
      metrics.snapshotTaken(Duration.ofMillis(300));
      metrics.verification(VerificationResult.MATCH);
      metrics.verification(VerificationResult.MISMATCH);
      metrics.driftDetected();

      String after = AdminHttp.get(url).body();
      assertThat(AdminHttp.value(after, "redraft_snapshot_seconds_count", NONE)).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_snapshot_seconds_sum", NONE)).isEqualTo(0.3);
      assertThat(AdminHttp.value(after, "redraft_snapshot_seconds_bucket", Map.of("le", "1.0"))).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_verifications_total", Map.of("result", "match"))).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_verifications_total", Map.of("result", "mismatch"))).isEqualTo(1);
      assertThat(AdminHttp.value(after, "redraft_drift_detected_total", NONE)).isEqualTo(1);
    }
  }
}
