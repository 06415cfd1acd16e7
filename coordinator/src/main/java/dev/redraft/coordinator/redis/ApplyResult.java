package dev.redraft.coordinator.redis;

/**
 * The outcome of one entry.
 *
 * @param index the entry's log index
 * @param outcome whether it ran now, earlier, or not at all
 * @param rolledBack true if a command failed and the entry's effects were undone
 * @param respReplies RESP2 array of the commands' replies (up to the failing one if rolled back); empty if none
 * @param digest for a VERIFY entry, Redis' digest of its whole dataset right after it; else null
 */
public record ApplyResult(long index, ApplyOutcome outcome, boolean rolledBack, byte[] respReplies, String digest) {
  public ApplyResult withDigest(String newDigest) {
    return new ApplyResult(index, outcome, rolledBack, respReplies, newDigest);
  }
}
