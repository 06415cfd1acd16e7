package dev.redraft.client.cli.input;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one command line into arguments as redis-cli does: words are separated by blanks; "double
 * quotes" take the escapes \xHH (any byte), \n \r \t \b \a, and \ before any other character for that
 * character; 'single quotes' take \' only. A closing quote must end the word. Works on bytes, so a
 * line read from a file keeps every byte it had.
 */
public final class RedisLineSplitter {
  private RedisLineSplitter() {}

  /** A line that cannot be split: an unclosed quote, or a closing quote followed by more text. */
  public static final class MalformedLineException extends IllegalArgumentException {
    MalformedLineException(String message) {
      super(message);
    }
  }

  /** The arguments of the line; empty for a blank line. */
  public static List<byte[]> split(byte[] line) {
    List<byte[]> words = new ArrayList<>();
    int i = 0;
    while (true) {
      while (i < line.length && isBlank(line[i])) {
        i++;
      }
      if (i >= line.length) {
        return words;
      }
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      i = readWord(line, i, word);
      words.add(word.toByteArray());
    }
  }

  /** Reads one word starting at {@code i}; returns the position after it. */
  private static int readWord(byte[] line, int i, ByteArrayOutputStream word) {
    while (i < line.length && !isBlank(line[i])) {
      byte b = line[i];
      if (b == '"') {
        i = readDoubleQuoted(line, i + 1, word);
      } else if (b == '\'') {
        i = readSingleQuoted(line, i + 1, word);
      } else {
        word.write(b);
        i++;
      }
    }
    return i;
  }

  private static int readDoubleQuoted(byte[] line, int i, ByteArrayOutputStream word) {
    while (i < line.length) {
      byte b = line[i];
      if (b == '\\' && i + 3 < line.length && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
        word.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
        i += 4;
      } else if (b == '\\' && i + 1 < line.length) {
        word.write(switch (line[i + 1]) {
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'b' -> '\b';
          case 'a' -> 7;
          default -> line[i + 1];
        });
        i += 2;
      } else if (b == '"') {
        return afterClosingQuote(line, i + 1, '"');
      } else {
        word.write(b);
        i++;
      }
    }
    throw new MalformedLineException("unbalanced quotes: a \" is not closed");
  }

  private static int readSingleQuoted(byte[] line, int i, ByteArrayOutputStream word) {
    while (i < line.length) {
      byte b = line[i];
      if (b == '\\' && i + 1 < line.length && line[i + 1] == '\'') {
        word.write('\'');
        i += 2;
      } else if (b == '\'') {
        return afterClosingQuote(line, i + 1, '\'');
      } else {
        word.write(b);
        i++;
      }
    }
    throw new MalformedLineException("unbalanced quotes: a ' is not closed");
  }

  private static int afterClosingQuote(byte[] line, int i, char quote) {
    if (i < line.length && !isBlank(line[i])) {
      throw new MalformedLineException("a closing " + quote + " must be followed by a space or the end of the line");
    }
    return i;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0 || b == 0x0b || b == '\f';
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static int hex(byte b) {
    return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
  }
}
