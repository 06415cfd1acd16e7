package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of SET: an expiry (EX, PX, EXAT, PXAT or KEEPTTL) and a condition (NX or XX). Immutable;
 * start from a factory and chain, e.g. {@code SetOptions.ex(10).nx()}.
 */
public final class SetOptions {
  private final String expiry;
  private final long expiryValue;
  private final String condition;

  private SetOptions(String expiry, long expiryValue, String condition) {
    this.expiry = expiry;
    this.expiryValue = expiryValue;
    this.condition = condition;
  }

  public static SetOptions none() {
    return new SetOptions(null, 0, null);
  }

  /** Expire after this many seconds. */
  public static SetOptions ex(long seconds) {
    return none().withExpiry("EX", seconds);
  }

  /** Expire after this many milliseconds. */
  public static SetOptions px(long millis) {
    return none().withExpiry("PX", millis);
  }

  /** Expire at this Unix time in seconds. */
  public static SetOptions exAt(long unixSeconds) {
    return none().withExpiry("EXAT", unixSeconds);
  }

  /** Expire at this Unix time in milliseconds. */
  public static SetOptions pxAt(long unixMillis) {
    return none().withExpiry("PXAT", unixMillis);
  }

  /** Keep the key's current time to live. */
  public static SetOptions keepTtl() {
    return new SetOptions("KEEPTTL", 0, null);
  }

  /** Set only if the key does not exist. */
  public SetOptions nx() {
    return withCondition("NX");
  }

  /** Set only if the key already exists. */
  public SetOptions xx() {
    return withCondition("XX");
  }

  /** The SET arguments after key and value. */
  public List<String> toArgs() {
    List<String> args = new ArrayList<>(3);
    if (expiry != null) {
      args.add(expiry);
      if (!expiry.equals("KEEPTTL")) {
        args.add(Long.toString(expiryValue));
      }
    }
    if (condition != null) {
      args.add(condition);
    }
    return args;
  }

  private SetOptions withExpiry(String kind, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("SET " + kind + " needs a positive value, got " + value);
    }
    return new SetOptions(kind, value, condition);
  }

  private SetOptions withCondition(String newCondition) {
    if (condition != null && !condition.equals(newCondition)) {
      throw new IllegalArgumentException("SET takes NX or XX, not both");
    }
    return new SetOptions(expiry, expiryValue, newCondition);
  }

  @Override
  public String toString() {
    return String.join(" ", toArgs());
  }
}
