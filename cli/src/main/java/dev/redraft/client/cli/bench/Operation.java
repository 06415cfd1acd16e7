package dev.redraft.client.cli.bench;

import java.util.Locale;

/** The operations the load generator can issue. A batch counts as one operation. */
public enum Operation {
  /** SET key value. */
  SET,
  /** INCR counter-key. */
  INCR,
  /** GET key (linearizable on Redraft). */
  GET,
  /**
   * An atomic batch of SETs of random keys (Redraft: one Write, across Raft groups in a sharded cluster:
   * a two-phase commit; Redis: MULTI/EXEC).
   */
  BATCH,
  /**
   * An atomic batch of SETs of keys that share one hash tag, so one slot (in a sharded cluster: one
   * group, one log entry): the single-group baseline of {@link #BATCH}.
   */
  SLOT_BATCH;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean isWrite() {
    return this != GET;
  }

  public boolean isBatch() {
    return this == BATCH || this == SLOT_BATCH;
  }

  static Operation parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown operation '" + text + "': use set, incr, get, batch or slot-batch");
    }
  }
}
