package dev.redraft.coordinator.chaos.history;

/**
 * One client operation as the client saw it: when it was invoked and when it returned (in
 * {@link System#nanoTime()} of the test JVM), what it asked for and what it got.
 *
 * @param id unique within a history
 * @param client the client (process) that ran it; a client runs one operation at a time
 * @param key the key it touched
 * @param kind what it did
 * @param value for WRITE the value written; for READ the value read ({@code null}: the key did not exist)
 * @param counter for INCR the value Redis returned ({@code null} if unknown); unused otherwise
 * @param invokeNanos when the client sent it
 * @param returnNanos when the client got the answer; {@link #NEVER} if the outcome is unknown
 * @param outcome whether it took effect
 */
public record Operation(long id, int client, String key, Kind kind, String value, Long counter,
                        long invokeNanos, long returnNanos, Outcome outcome) {
  /** Return time of an operation whose outcome is unknown: it may take effect at any later time. */
  public static final long NEVER = Long.MAX_VALUE;

  public enum Kind {
    /** SET key value on a register key. */
    WRITE,
    /** GET key on a register or counter key. */
    READ,
    /** INCR key on a counter key. */
    INCR
  }

  public enum Outcome {
    /** Acknowledged: took effect exactly once, between invoke and return. */
    OK,
    /** Definitely did not take effect (a refused write, a failed read). */
    FAIL,
    /** May or may not have taken effect, at any time after invoke (timeouts, lost connections). */
    UNKNOWN
  }

  public Operation {
    if (outcome == Outcome.UNKNOWN) {
      returnNanos = NEVER;
    }
    if (returnNanos < invokeNanos) {
      throw new IllegalArgumentException("operation " + id + " returns before it is invoked");
    }
  }

  public static Operation write(long id, int client, String key, String value, long invoke, long ret, Outcome outcome) {
    return new Operation(id, client, key, Kind.WRITE, value, null, invoke, ret, outcome);
  }

  public static Operation read(long id, int client, String key, String value, long invoke, long ret, Outcome outcome) {
    return new Operation(id, client, key, Kind.READ, value, null, invoke, ret, outcome);
  }

  public static Operation incr(long id, int client, String key, Long result, long invoke, long ret, Outcome outcome) {
    return new Operation(id, client, key, Kind.INCR, null, result, invoke, ret, outcome);
  }

  /** One line of the history file. */
  public String toJson() {
    return "{\"id\":" + id + ",\"client\":" + client + ",\"key\":" + quote(key) + ",\"kind\":\"" + kind
        + "\",\"value\":" + (value == null ? "null" : quote(value)) + ",\"counter\":" + counter
        + ",\"invoke\":" + invokeNanos + ",\"return\":" + (returnNanos == NEVER ? "null" : Long.toString(returnNanos))
        + ",\"outcome\":\"" + outcome + "\"}";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
