package dev.redraft.coordinator.redis;

import java.util.List;

/**
 * This node's Redis holds less than the log says it applied (its applied-index marker is behind or
 * gone: it restarted empty or lost writes). Applying more would build on missing data, so the node
 * must stop serving until it is repaired from the leader's state.
 */
public final class RedisStateException extends RuntimeException {
  private final long expectedMarker;
  private final long actualMarker;
  private final transient List<ApplyResult> appliedSoFar;

  public RedisStateException(String message, long expectedMarker, long actualMarker, List<ApplyResult> appliedSoFar) {
    super(message);
    this.expectedMarker = expectedMarker;
    this.actualMarker = actualMarker;
    this.appliedSoFar = List.copyOf(appliedSoFar);
  }

  /** The applied index this Redis should hold at least. */
  public long expectedMarker() {
    return expectedMarker;
  }

  /** The applied index it holds (0 if the marker is gone). */
  public long actualMarker() {
    return actualMarker;
  }

  /** Entries of the same call that were applied before the loss was found, in order. */
  public List<ApplyResult> appliedSoFar() {
    return appliedSoFar;
  }
}
