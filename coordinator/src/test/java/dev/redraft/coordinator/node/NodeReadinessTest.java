package dev.redraft.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each readiness condition on its own: membership, a leader, Redis, divergence, apply lag. */
class NodeReadinessTest {
  private final NodeHealth health = new NodeHealth("n1");
  private final AtomicReference<NodeReadiness.ClusterView> view =
      new AtomicReference<>(new NodeReadiness.ClusterView(true, "n2", 100, 100, 100));
  private final AtomicBoolean redisUp = new AtomicBoolean(true);
  private final NodeReadiness readiness = new NodeReadiness(health, view::get, redisUp::get, 10);

  @Test
  void readyOnlyWhenEveryConditionHolds() {
    assertThat(readiness.check().ready()).as("still replaying").isFalse();
    health.markReady();
    assertThat(readiness.check()).isEqualTo(new NodeReadiness.Verdict(true, java.util.List.of()));

    view.set(new NodeReadiness.ClusterView(true, "", 100, 100, -1));
    assertThat(readiness.check().reasons()).containsExactly("no leader known");
    view.set(new NodeReadiness.ClusterView(false, "n2", 100, 100, 100));
    assertThat(readiness.check().reasons()).containsExactly("not a member of the cluster configuration");
    view.set(new NodeReadiness.ClusterView(true, "n2", 111, 100, 111));
    assertThat(readiness.check().reasons()).singleElement().asString().contains("catching up: 11");
    view.set(new NodeReadiness.ClusterView(true, "n2", 110, 100, 110));
    assertThat(readiness.check().ready()).as("a lag of exactly ready-max-apply-lag is fine").isTrue();

    redisUp.set(false);
    assertThat(readiness.check().reasons()).containsExactly("its Redis does not answer PING");
    redisUp.set(true);
    health.markNeedsRepair("Redis lost its data");
    assertThat(readiness.check().reasons()).containsExactly("diverged: Redis lost its data");
  }

  /**
   * A restarted follower's own commit index covers only the entries it holds: it may have applied
   * all of them while the leader committed far more. The leader's commit index is what counts.
   */
  @Test
  void aFollowerIsComparedWithTheLeadersCommitIndexNotItsOwn() {
    health.markReady();
    view.set(new NodeReadiness.ClusterView(true, "n2", 31, 31, 5_000));
    assertThat(readiness.check().reasons()).singleElement().asString()
        .contains("catching up: 4969 entries committed by the leader");
    view.set(new NodeReadiness.ClusterView(true, "n2", 31, 31, -1));
    assertThat(readiness.check().reasons()).singleElement().asString()
        .contains("has not heard leader n2's commit index lately");
    view.set(new NodeReadiness.ClusterView(true, "n2", 5_000, 4_995, 5_005));
    assertThat(readiness.check().ready()).as("within ready-max-apply-lag of the leader").isTrue();
  }
}
