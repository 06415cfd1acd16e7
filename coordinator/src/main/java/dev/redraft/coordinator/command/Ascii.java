package dev.redraft.coordinator.command;

import java.nio.charset.StandardCharsets;

/**
 * ASCII-only case handling, as Redis does it (strcasecmp). {@code String.toUpperCase} would map
 * non-ASCII letters onto ASCII ones ("ſet" to "SET"), accepting names Redis does not.
 */
public final class Ascii {
  private Ascii() {}

  public static String toUpperCase(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] >= 'a' && chars[i] <= 'z') {
        chars[i] = (char) (chars[i] - ('a' - 'A'));
      }
    }
    return new String(chars);
  }

  public static String toLowerCase(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] >= 'A' && chars[i] <= 'Z') {
        chars[i] = (char) (chars[i] + ('a' - 'A'));
      }
    }
    return new String(chars);
  }

  /** True if {@code arg} is exactly {@code upperWord}, ignoring ASCII case. */
  public static boolean equalsIgnoreCase(byte[] arg, String upperWord) {
    if (arg.length != upperWord.length()) {
      return false;
    }
    for (int i = 0; i < arg.length; i++) {
      int b = arg[i];
      if (b >= 'a' && b <= 'z') {
        b -= 'a' - 'A';
      }
      if (b != upperWord.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** An argument as text for an error message: bytes as Latin-1, cut to a readable length. */
  static String quote(byte[] arg) {
    int shown = Math.min(arg.length, 64);
    String text = new String(arg, 0, shown, StandardCharsets.ISO_8859_1);
    return shown < arg.length ? text + "..." : text;
  }

  /** A name as text for an error message, cut to a readable length. */
  static String quote(String name) {
    return name.length() <= 64 ? name : name.substring(0, 64) + "...";
  }
}
