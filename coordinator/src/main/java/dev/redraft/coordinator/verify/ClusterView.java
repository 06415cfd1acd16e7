package dev.redraft.coordinator.verify;

import java.time.Duration;
import java.util.Set;

/** What the verifier needs to know of the Raft side. */
public interface ClusterView {
  String selfId();

  /** The voters of the current configuration (their digests decide the majority). */
  Set<String> voters();

  /** Every member, learners too. */
  Set<String> members();

  boolean isLeader();

  /** Hands leadership to another voter (before the leader repairs its own Redis). */
  void stepDown(Duration timeout);
}
