package dev.redraft.client.cli.output;

/** The little JSON the tool writes (command output, benchmark results): string quoting. */
public final class Json {
  private Json() {}

  /** A value from Redis: a JSON string if it is valid UTF-8, else {"base64": "..."} (its exact bytes). */
  public static String bytes(byte[] value) {
    return DisplayText.utf8(value).map(Json::quote)
        .orElseGet(() -> "{\"base64\": \"" + java.util.Base64.getEncoder().encodeToString(value) + "\"}");
  }

  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // Controls (C0, DEL, C1) and the line separators JavaScript chokes on, escaped as 4-hex-digit escapes.
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
