package dev.redraft.coordinator.node;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether this node should get traffic (/readyz, the gRPC health service): it is a member of a
 * cluster that has a leader, its Redis answers, it has not diverged, and it has applied (nearly)
 * everything committed. Liveness is simpler: the process answers at all.
 */
public final class NodeReadiness {
  /** This node's view of the cluster, as Raft reports it. */
  public record ClusterView(boolean member, String leaderId, long commitIndex, long appliedIndex) {}

  /** The answer, with every reason it is not ready (empty when ready). */
  public record Verdict(boolean ready, List<String> reasons) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }
  }

  private final NodeHealth health;
  private final Supplier<ClusterView> cluster;
  private final BooleanSupplier redisHealthy;
  private final long maxApplyLag;

  public NodeReadiness(NodeHealth health, Supplier<ClusterView> cluster, BooleanSupplier redisHealthy,
      long maxApplyLag) {
    this.health = health;
    this.cluster = cluster;
    this.redisHealthy = redisHealthy;
    this.maxApplyLag = maxApplyLag;
  }

  public Verdict check() {
    List<String> reasons = new ArrayList<>();
    ClusterView view = cluster.get();
    if (!view.member()) {
      reasons.add("not a member of the cluster configuration");
    }
    if (view.leaderId().isEmpty()) {
      reasons.add("no leader known");
    }
    if (!redisHealthy.getAsBoolean()) {
      reasons.add("its Redis does not answer PING");
    }
    if (health.needsRepair()) {
      reasons.add("diverged: " + health.reason());
    } else if (!health.isReady()) {
      reasons.add(health.reason());
    }
    long lag = view.commitIndex() - view.appliedIndex();
    if (lag > maxApplyLag) {
      reasons.add("catching up: " + lag + " committed entries not yet applied (ready-max-apply-lag " + maxApplyLag + ")");
    }
    return new Verdict(reasons.isEmpty(), reasons);
  }
}
