package dev.redraft.client.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations such as {@code 500ms}, {@code 10s}, {@code 2m}; a bare number is seconds. */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String text = value.trim().toLowerCase();
    try {
      Duration duration;
      if (text.endsWith("ms")) {
        duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      } else if (text.endsWith("s")) {
        duration = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
      } else if (text.endsWith("m")) {
        duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
      } else {
        duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
      }
      if (duration.isZero() || duration.isNegative()) {
        throw new TypeConversionException("'" + value + "' must be a positive duration");
      }
      return duration;
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a duration; use e.g. 500ms, 10s or 2m");
    }
  }
}
