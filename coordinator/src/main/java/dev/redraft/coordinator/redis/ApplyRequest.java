package dev.redraft.coordinator.redis;

import java.util.List;

/**
 * One committed log entry as Redis applies it.
 *
 * @param index the entry's log index: becomes the applied-index marker
 * @param clientId the client session, or empty for Redraft's own entries
 * @param sequence the session's sequence number (0 without a session)
 * @param logicalTimeMs the leader's clock fixed for the entry: keys whose deadline is at or before it expire
 * @param commands applied in order, all or nothing
 * @param verify a VERIFY entry: no commands; Redis' digest is taken right after it
 * @param fingerprint hex hash of the commands as the client sent them, kept with the session; empty if none
 * @param session the entry's session limits; {@link SessionLimits#LEGACY} for entries written before them
 * @param tx the entry's step of a transaction across groups; {@link TxStep#NONE} for a plain write
 */
public record ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands,
    boolean verify, String fingerprint, SessionLimits session, TxStep tx) {
  /**
   * A step of a two-phase commit across groups, as apply.lua takes it: {@code phase} is the number of
   * the log's {@code TxStep.Phase} (0: not a transaction step), {@code id} the transaction's id and
   * {@code home} the group that holds its decision.
   */
  public record TxStep(int phase, String id, int home) {
    public static final TxStep NONE = new TxStep(0, "", 0);
  }

  /**
   * How long a session may stay idle (by logical time) and how many sessions are kept, as the leader
   * fixed them for the entry. {@code max == 0}: an entry from before session limits, applied by the
   * old rules (no expiry, no cap, no fingerprint). {@code openingStamps}: the entry is applied by the
   * opening-stamp rules (false for entries logged before them, so every node applies those alike).
   * {@code openAtAnySequence}: a sharded cluster's entry, where a client's sequence runs over every
   * group, so a stamped client's first write to this group opens its session here at any sequence.
   */
  public record SessionLimits(long idleTimeoutMs, long max, boolean openingStamps, boolean openAtAnySequence) {
    public static final SessionLimits LEGACY = new SessionLimits(0, 0, false, false);

    /** Limits of entries logged now: with the opening-stamp rules. */
    public SessionLimits(long idleTimeoutMs, long max) {
      this(idleTimeoutMs, max, true, false);
    }

    /** Limits of an unsharded cluster's entries, by the opening-stamp rules or not. */
    public SessionLimits(long idleTimeoutMs, long max, boolean openingStamps) {
      this(idleTimeoutMs, max, openingStamps, false);
    }
  }

  public ApplyRequest {
    commands = List.copyOf(commands);
  }

  public ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands,
      boolean verify, String fingerprint, SessionLimits session) {
    this(index, clientId, sequence, logicalTimeMs, commands, verify, fingerprint, session, TxStep.NONE);
  }

  public ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands,
      boolean verify) {
    this(index, clientId, sequence, logicalTimeMs, commands, verify, "", SessionLimits.LEGACY);
  }

  public ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands) {
    this(index, clientId, sequence, logicalTimeMs, commands, false);
  }

  /** A VERIFY entry at {@code index}. */
  public static ApplyRequest verify(long index) {
    return new ApplyRequest(index, "", 0, 0, List.of(), true);
  }
}
