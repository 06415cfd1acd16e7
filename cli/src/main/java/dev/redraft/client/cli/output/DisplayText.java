package dev.redraft.client.cli.output;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How human output shows bytes that came from Redis, so that no value is lost or garbled and no
 * terminal escape code reaches the terminal raw. A value that is printable text is shown as it is;
 * any other (invalid UTF-8, control or invisible characters, empty, blank at either end, or starting
 * with a quote or a parenthesis, which would read as (nil) or (integer)) is shown as redis-cli shows
 * values: in double quotes, with \\ \" \n \r \t \a \b and \xHH for every other byte outside printable
 * ASCII. The quoted form is valid input to {@code redraft batch} and the prompt, and means the same bytes.
 */
public final class DisplayText {
  private DisplayText() {}

  /** A bulk value: plain if it is printable text, else quoted. */
  public static String value(byte[] bytes) {
    Optional<String> text = utf8(bytes);
    return text.isPresent() && showsPlain(text.get()) ? text.get() : quoted(bytes);
  }

  /** redis-cli's quoted form of any bytes. */
  public static String quoted(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length + 2).append('"');
    for (byte b : bytes) {
      int c = b & 0xff;
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 7 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            out.append((char) c);
          } else {
            out.append(String.format("\\x%02x", c));
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Text from the server that is shown unquoted (a status such as OK, an error message): printable
   * characters as they are, any other as \xHH escapes of its UTF-8 bytes, so it cannot drive the terminal.
   */
  public static String message(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (isPrintable(cp) || cp == ' ') {
        out.appendCodePoint(cp);
      } else {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append(String.format("\\x%02x", b & 0xff));
        }
      }
    });
    return out.toString();
  }

  /** The bytes as a String if they are valid UTF-8 (and would encode back to the same bytes). */
  public static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static boolean showsPlain(String text) {
    if (text.isEmpty() || text.charAt(0) == '"' || text.charAt(0) == '(' || text.charAt(0) == ' '
        || text.charAt(text.length() - 1) == ' ') {
      return false;
    }
    return text.codePoints().allMatch(cp -> cp == ' ' || isPrintable(cp));
  }

  /** A visible character: not a control, format (e.g. bidi override), separator other than space, or unassigned. */
  static boolean isPrintable(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR, Character.UNASSIGNED, Character.SURROGATE, Character.PRIVATE_USE -> false;
      default -> true;
    };
  }
}
