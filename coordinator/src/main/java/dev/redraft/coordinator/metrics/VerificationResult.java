package dev.redraft.coordinator.metrics;

import java.util.Locale;

/** The outcome of one replica verification, as counted by {@code redraft_verifications_total{result}}. */
public enum VerificationResult {
  /** This replica's digest at the VERIFY entry equals the majority's. */
  MATCH,
  /** It differs: the replica drifted. */
  MISMATCH,
  /** The digest could not be computed or compared (e.g. Redis unreachable, peers not answering). */
  ERROR;

  String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
