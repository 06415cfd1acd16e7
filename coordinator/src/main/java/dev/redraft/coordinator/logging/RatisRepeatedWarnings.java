package dev.redraft.coordinator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Ratis' leader logs a WARN for every append or heartbeat that a follower did not answer in time. While a
 * follower is cut off without its connection closing (a network partition, a paused process), the leader's
 * appender sends a heartbeat on each new entry of its log, and each one times out: hundreds of lines a second
 * per group under load (the fault suite counted 236 in one second, ~650 per cut). Such a warning is written
 * once every {@link #INTERVAL_S} seconds per follower of a group (Ratis names both in its first argument), with
 * what it means and how many were left out since the last one written (counted at the next one, which may come
 * much later). Every other line passes unchanged.
 */
public final class RatisRepeatedWarnings extends TurboFilter {
  static final long INTERVAL_S = 10;
  /** Above this many followers seen (a long life of membership changes), the counts start afresh. */
  private static final int MAX_TRACKED = 1024;
  /** A fragment of Ratis' message template (its own words) and what the line means to an operator. */
  private static final Map<String, String> MEANINGS = Map.of(
      "Timed out {}appendEntries", "that follower did not answer within the Raft request timeout: it is cut off,"
          + " paused or overloaded; the leader goes on sending, and the follower catches up once it answers");

  private final LongSupplier nanoClock;
  private final Map<String, LogThrottle> throttles = new ConcurrentHashMap<>();

  public RatisRepeatedWarnings() {
    this(System::nanoTime);
  }

  /** {@code nanoClock}: a monotonic clock in nanoseconds (tests move their own). */
  RatisRepeatedWarnings(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || !level.isGreaterOrEqual(Level.WARN) || format == null
        || !logger.getName().startsWith("org.apache.ratis")) {
      return FilterReply.NEUTRAL;
    }
    String fragment = MEANINGS.keySet().stream().filter(format::contains).findFirst().orElse(null);
    if (fragment == null) {
      return FilterReply.NEUTRAL;
    }
    String subject = params != null && params.length > 0 ? String.valueOf(params[0]) : "";
    if (throttles.size() >= MAX_TRACKED) {
      throttles.clear();
    }
    long skipped = throttles.computeIfAbsent(logger.getName() + '\n' + fragment + '\n' + subject,
        k -> new LogThrottle(INTERVAL_S, TimeUnit.SECONDS, nanoClock)).admit();
    if (skipped != LogThrottle.NOT_NOW) {
      String line = MessageFormatter.arrayFormat(format, params).getMessage() + " (" + MEANINGS.get(fragment)
          + (skipped > 0 ? "; " + skipped + " more such lines about it left out since the last one" : "")
          + "; at most one such line every " + INTERVAL_S + " s)";
      // Logged again as a formatted line, which no template fragment matches: this filter lets it through.
      logger.log(marker, Logger.class.getName(), Level.toLocationAwareLoggerInteger(level), line, null, t);
    }
    return FilterReply.DENY;
  }
}
