package dev.redraft.coordinator.metrics;

/**
 * What the Raft gauges read at scrape time. Implemented in the raft package, so this package needs
 * no Ratis type.
 */
public interface RaftMetricsSource {
  /** LEADER, FOLLOWER, CANDIDATE, LISTENER or UNKNOWN. */
  String role();

  long term();

  long commitIndex();

  long appliedIndex();

  /** Entries currently in the Raft log (after the last purge). */
  long logEntries();

  /** Bytes of the Raft log segments on disk. */
  long logBytes();

  /** Elections (pre-vote rounds) this node's election timer started; Ratis' own timer's are not counted. */
  long electionsStarted();

  /** Write proposals this node forwarded to the group's leader (one per group entry it asked for). */
  long forwardedProposals();
}
