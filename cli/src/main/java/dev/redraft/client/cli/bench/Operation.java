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
  /** An atomic batch of SETs (Redraft: one Write; Redis: MULTI/EXEC). */
  BATCH;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isWrite() {
    return this != GET;
  }

  static Operation parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown operation '" + text + "': use set, incr, get or batch");
    }
  }
}
