package dev.redraft.coordinator.verify;

import java.util.Map;

/**
 * One round as a node judged it: every node's digest at the VERIFY entry (missing: no answer), the
 * verdict per node, and this node's own.
 */
public record VerificationRound(long round, String selfId, Map<String, String> digests, Map<String, Verdict> verdicts) {
  public VerificationRound {
    digests = Map.copyOf(digests);
    verdicts = Map.copyOf(verdicts);
  }

  public Verdict selfVerdict() {
    return verdicts.getOrDefault(selfId, Verdict.PENDING);
  }

  /** CONSISTENT if every answering node matches, DIVERGED if some differ from a majority, else NO_MAJORITY. */
  public String clusterVerdict() {
    if (verdicts.containsValue(Verdict.NO_MAJORITY)) {
      return "NO_MAJORITY";
    }
    return verdicts.containsValue(Verdict.DIVERGED) ? "DIVERGED" : "CONSISTENT";
  }
}
