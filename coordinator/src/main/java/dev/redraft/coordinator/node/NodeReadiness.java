package dev.redraft.coordinator.node;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether this node should get traffic (/readyz, the gRPC health service): it is a member of a
 * cluster that has a leader, its Redis answers, it has not diverged, and it has applied (nearly)
 * everything the LEADER committed. A follower's own commit index only covers entries it holds, so a
 * node restarted behind, or one the leader cannot append to, would see no lag against it: the
 * leader's commit index is what counts, and a follower that has not heard it lately is not ready.
 * Liveness is simpler: the process answers at all.
 */
public final class NodeReadiness {
  /**
   * This node's view of the cluster, as Raft reports it: {@code leaderCommitIndex} is the leader's
   * commit index (this node's own if it leads), or -1 if this node has not heard it lately.
   */
  public record ClusterView(boolean member, String leaderId, long commitIndex, long appliedIndex,
                            long leaderCommitIndex) {}

  /** The answer, with every reason it is not ready (empty when ready). */
  public record Verdict(boolean ready, List<String> reasons) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }
  }

  /**
   * The node's verdict over its replicas of every group (group 0 first): ready when each is; with
   * several groups each reason names its group.
   */
  public static Verdict ofAll(List<NodeReadiness> groups) {
    if (groups.size() == 1) {
      return groups.get(0).check();
    }
    boolean ready = true;
    List<String> reasons = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Verdict verdict = groups.get(g).check();
      ready &= verdict.ready();
      for (String reason : verdict.reasons()) {
        reasons.add("group " + g + ": " + reason);
      }
    }
    return new Verdict(ready, reasons);
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
    if (!view.leaderId().isEmpty() && view.leaderCommitIndex() < 0) {
      reasons.add("has not heard leader " + view.leaderId() + "'s commit index lately, so it cannot tell how far"
          + " behind it is");
    }
    long lag = Math.max(view.commitIndex(), view.leaderCommitIndex()) - view.appliedIndex();
    if (lag > maxApplyLag) {
      reasons.add("catching up: " + lag + " entries committed by the leader not yet applied here (ready-max-apply-lag "
          + maxApplyLag + ")");
    }
    return new Verdict(reasons.isEmpty(), reasons);
  }
}
