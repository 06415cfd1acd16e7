package dev.redraft.coordinator.redis;

/** What applying one entry did. */
public enum ApplyOutcome {
  /** The commands ran (or, for a multi-command entry, one failed and all were rolled back). */
  APPLIED,
  /** The session already applied this sequence: the stored reply of the first attempt is returned. */
  DUPLICATE,
  /** The session already applied a higher sequence: this late retry was not applied. */
  SUPERSEDED,
  /** Already in this Redis before this apply (a replay) and its reply is no longer stored. */
  ALREADY_APPLIED
}
