package dev.redraft.coordinator.api;

import dev.redraft.coordinator.errors.InvalidRequestException;

/**
 * The opening stamp a client id may carry: "{@code <name>@<ms since the epoch>}", the client's clock
 * when the session opened, the same on every write of the session. apply.lua refuses a first write
 * (sequence 1) without a session whose stamp is at or below the highest stamp of any dropped session,
 * so the late retry of a first write is never taken for a new session (see apply.lua's
 * session_opened_at). Ids without a stamp (older clients) keep the old rule.
 */
public final class SessionStamp {
  /**
   * How far ahead of this node's clock a new session's stamp may be. A dropped session raises the
   * watermark to its stamp, so a stamp far in the future would get every honest new session refused
   * until that time; a lead below min(idle timeout, 60 s) is harmless, as sessions are dropped only
   * after that long without use. Safety never depends on it: a refusal is the worst a stamp can cause.
   */
  static final long MAX_AHEAD_MS = 10_000;

  private SessionStamp() {
  }

  /** The client id of a session opened now, at {@code openedAtMillis}. */
  public static String stamp(String name, long openedAtMillis) {
    return name + "@" + openedAtMillis;
  }

  /** The stamp of a client id, or -1 if it carries none. */
  static long openedAt(String clientId) {
    int at = clientId.lastIndexOf('@');
    if (at < 0 || at == clientId.length() - 1) {
      return -1;
    }
    long stamp = 0;
    for (int i = at + 1; i < clientId.length(); i++) {
      char c = clientId.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      if (stamp > (Long.MAX_VALUE - 9) / 10) {
        return Long.MAX_VALUE; // refused below as far ahead
      }
      stamp = stamp * 10 + (c - '0');
    }
    return stamp;
  }

  /** Refuses a session opening whose stamp is too far ahead of {@code nowMillis}. */
  static void checkOpening(String clientId, long nowMillis) {
    long stamp = openedAt(clientId);
    if (stamp > nowMillis + MAX_AHEAD_MS) {
      throw new InvalidRequestException("client id " + clientId + " says its session opened at " + stamp
          + " ms, more than " + MAX_AHEAD_MS + " ms ahead of node clocks (" + nowMillis + "): the client's clock is"
          + " ahead; this attempt was not applied. Fix the client's clock (NTP) and open a new session");
    }
  }
}
