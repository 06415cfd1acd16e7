package dev.redraft.client.cli.input;

import dev.redraft.api.v1.Command;
import dev.redraft.client.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Redis commands written one per line, as redis-cli reads them ({@link RedisLineSplitter}); blank
 * lines and lines starting with # are skipped. Each command keeps the line it came from, for messages.
 */
public final class CommandLines {
  private CommandLines() {}

  /** One command and the text it was written as. */
  public record Line(int number, String text, Command command) {}

  /** A line that is not a command: says which line and why. */
  public static final class BadLineException extends IllegalArgumentException {
    BadLineException(String message) {
      super(message);
    }
  }

  /** Every command of the stream, read to its end; lines are split on \n, a trailing \r is dropped. */
  public static List<Line> read(InputStream input) throws IOException {
    List<Line> lines = new ArrayList<>();
    int number = 0;
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n = input.read(buffer); n >= 0; n = input.read(buffer)) {
      for (int i = 0; i < n; i++) {
        if (buffer[i] == '\n') {
          parse(++number, current.toByteArray()).ifPresent(lines::add);
          current.reset();
        } else {
          current.write(buffer[i]);
        }
      }
    }
    if (current.size() > 0) {
      parse(++number, current.toByteArray()).ifPresent(lines::add);
    }
    return lines;
  }

  /** Each string is one command line (e.g. the arguments of 'redraft batch'). */
  public static List<Line> of(List<String> texts) {
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      parse(i + 1, texts.get(i).getBytes(StandardCharsets.UTF_8)).ifPresent(lines::add);
    }
    return lines;
  }

  /** The command on one line, or empty for a blank line or a comment. */
  public static Optional<Line> parse(int number, byte[] line) {
    byte[] bytes = line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.isBlank() || text.stripLeading().startsWith("#")) {
      return Optional.empty();
    }
    List<byte[]> words;
    try {
      words = RedisLineSplitter.split(bytes);
    } catch (RedisLineSplitter.MalformedLineException e) {
      throw new BadLineException("line " + number + ": " + e.getMessage());
    }
    String name = new String(words.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    Command command = Commands.of(name, words.subList(1, words.size()).toArray(byte[][]::new));
    return Optional.of(new Line(number, text.strip(), command));
  }
}
