package dev.redraft.coordinator.redis;

/** What applying one entry did. The order matches the outcome codes of apply.lua. */
public enum ApplyOutcome {
  /** The commands ran (or, for a multi-command entry, one failed and all were rolled back). */
  APPLIED,
  /** The session already applied this sequence: the stored reply of the first attempt is returned. */
  DUPLICATE,
  /** The session already applied a higher sequence: this late retry was not applied. */
  SUPERSEDED,
  /** Already in this Redis before this apply (a replay) and its reply is no longer stored. */
  ALREADY_APPLIED,
  /** The session applied this sequence with other commands: this write was refused, nothing changed. */
  MISMATCHED,
  /**
   * No session for this client id and a sequence above 1, or sequence 1 with an opening stamp no newer
   * than a dropped session's: the session expired or was evicted (or was never opened). Not applied
   * now; whether an earlier attempt was applied is unknown.
   */
  SESSION_UNKNOWN,
  /** A new session while the table is at its cap and no session is old enough to evict: not applied. */
  SESSIONS_FULL,
  /**
   * Not applied, the session untouched: a key is locked by a prepared transaction across groups
   * (replies: {@code locked}), or a PREPARE came after its transaction was aborted ({@code tx-aborted}).
   */
  TX_REFUSED,
  /**
   * Not applied: a key's slot is not owned by this group (slot moves). Replies: the group it moved to (the
   * session keeps this answer for the sequence), or empty while the slot is on its way here (the session
   * untouched).
   */
  MOVED
}
