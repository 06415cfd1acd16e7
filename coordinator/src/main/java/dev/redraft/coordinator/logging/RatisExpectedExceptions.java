package dev.redraft.coordinator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Ratis logs a WARN with a full stack trace for exceptions that only report a known state of the cluster:
 * a peer that does not host a group yet (while groups are added node by node, its leader retries every
 * few hundred milliseconds), a server that is closing or still starting. Those events are written as one
 * line instead, naming the exception and what it means, at most one per kind every {@link #INTERVAL_S}
 * seconds (with how many were left out). Any other exception keeps its stack trace.
 */
public final class RatisExpectedExceptions extends TurboFilter {
  static final long INTERVAL_S = 10;
  /** How deep a cause chain is looked into (a chain may loop back on itself). */
  private static final int MAX_CAUSES = 16;
  /** Exception class (simple name, as Ratis has several packages) and what it means to an operator. */
  private static final Map<String, String> MEANINGS = Map.of(
      "GroupMismatchException", "that peer does not host this Raft group (yet): expected while groups are added"
          + " node by node (cluster.sh add-group); it goes on once the peer restarted with the group",
      "AlreadyClosedException", "this server or its connection is closing (expected while the node stops)",
      "ServerNotReadyException", "the server is still starting (expected for a few seconds after a start)");

  private final Map<String, LogThrottle> throttles = new ConcurrentHashMap<>();

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith("org.apache.ratis")) {
      return FilterReply.NEUTRAL;
    }
    if (t == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
      // warn("{}: failed", what, e): the throwable is still the last argument at this stage.
      t = last;
      params = java.util.Arrays.copyOf(params, params.length - 1);
    }
    if (t == null) {
      return FilterReply.NEUTRAL;
    }
    Throwable expected = expected(t);
    if (expected == null) {
      return FilterReply.NEUTRAL;
    }
    String kind = expected.getClass().getSimpleName();
    long skipped = throttles.computeIfAbsent(logger.getName() + " " + level + " " + kind,
        k -> new LogThrottle(INTERVAL_S, TimeUnit.SECONDS)).admit();
    if (skipped != LogThrottle.NOT_NOW) {
      String message = format == null ? "" : MessageFormatter.arrayFormat(format, params).getMessage();
      String line = message + " (" + kind + ": " + expected.getMessage() + "; " + MEANINGS.get(kind)
          + (skipped > 0 ? "; " + skipped + " more such lines left out" : "") + ")";
      // Logged again without the throwable: this filter lets that one through (t == null).
      logger.log(marker, Logger.class.getName(), Level.toLocationAwareLoggerInteger(level), line, null, null);
    }
    return FilterReply.DENY;
  }

  /** {@code t} or one of its causes, if it is one of the expected kinds. */
  private static Throwable expected(Throwable t) {
    Throwable cause = t;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      if (MEANINGS.containsKey(cause.getClass().getSimpleName())
          && cause.getClass().getName().startsWith("org.apache.ratis")) {
        return cause;
      }
    }
    return null;
  }
}
