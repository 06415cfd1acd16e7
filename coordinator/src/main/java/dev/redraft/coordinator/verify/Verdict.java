package dev.redraft.coordinator.verify;

/** What one verification round found about one node. */
public enum Verdict {
  /** Its digest equals the one a majority of voters has. */
  MATCH,
  /** A majority of voters agrees on another digest: this node's Redis drifted and is repaired. */
  DIVERGED,
  /** No digest is shared by a majority of voters: an alarm; nothing is repaired automatically. */
  NO_MAJORITY,
  /** The node did not answer in time. */
  UNREACHABLE,
  /** No round finished yet. */
  PENDING
}
