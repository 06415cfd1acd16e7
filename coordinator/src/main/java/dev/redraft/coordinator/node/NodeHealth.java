package dev.redraft.coordinator.node;

import dev.redraft.coordinator.errors.NotReadyException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this node may serve reads and accept writes, and if not, why. A node whose Redis is
 * behind what the log says it holds (e.g. it restarted empty) stays not ready until repaired:
 * serving from it would return lost data as if it never existed.
 */
public final class NodeHealth {
  /** A reason that clears itself once the condition is gone (e.g. Redis unreachable). */
  public enum Severity { TRANSIENT, NEEDS_REPAIR, REMOVED }

  private record Problem(Severity severity, String reason) {}

  private final String nodeId;
  private final AtomicReference<Problem> problem =
      new AtomicReference<>(new Problem(Severity.TRANSIENT, "starting: replaying the Raft log"));

  public NodeHealth(String nodeId) {
    this.nodeId = nodeId;
  }

  public boolean isReady() {
    return problem.get() == null;
  }

  /** Why the node is not ready, or empty if it is. */
  public String reason() {
    Problem p = problem.get();
    return p == null ? "" : p.reason();
  }

  public boolean needsRepair() {
    Problem p = problem.get();
    return p != null && p.severity() == Severity.NEEDS_REPAIR;
  }

  /** True once the node was removed from the cluster: it never serves again. */
  public boolean isRemoved() {
    Problem p = problem.get();
    return p != null && p.severity() == Severity.REMOVED;
  }

  /** Throws {@link NotReadyException} unless the node is ready. */
  public void requireReady() {
    Problem p = problem.get();
    if (p != null) {
      throw new NotReadyException(nodeId, p.reason());
    }
  }

  public void markTransient(String reason) {
    problem.getAndUpdate(p -> p != null && p.severity() != Severity.TRANSIENT ? p : new Problem(Severity.TRANSIENT, reason));
  }

  public void markNeedsRepair(String reason) {
    problem.getAndUpdate(p -> isRemoved(p) ? p : new Problem(Severity.NEEDS_REPAIR, reason));
  }

  /** The node left the cluster: it refuses everything from now on. */
  public void markRemoved(String reason) {
    problem.set(new Problem(Severity.REMOVED, reason));
  }

  /** Clears a transient problem; a node that needs repair stays not ready. */
  public void markReady() {
    problem.getAndUpdate(p -> p != null && p.severity() != Severity.TRANSIENT ? p : null);
  }

  /** The repair finished: the node serves again (unless it was removed). */
  public void markRepaired() {
    problem.getAndUpdate(p -> isRemoved(p) ? p : null);
  }

  private static boolean isRemoved(Problem p) {
    return p != null && p.severity() == Severity.REMOVED;
  }
}
