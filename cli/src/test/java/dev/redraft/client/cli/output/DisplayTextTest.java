package dev.redraft.client.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Values shown to people (redis-cli's quoting) and to programs (JSON string or base64). */
class DisplayTextTest {
  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  @Test
  void printableTextShowsAsItIs() {
    assertThat(DisplayText.value("hello world".getBytes(StandardCharsets.UTF_8))).isEqualTo("hello world");
    assertThat(DisplayText.value("héllo ✓".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo ✓");
  }

  @Test
  void anythingElseIsQuotedAsRedisCliQuotesIt() {
    assertThat(DisplayText.value(bytes(0xff, 'a', 0))).isEqualTo("\"\\xffa\\x00\"");
    assertThat(DisplayText.value("a\nb\t\"c\"\\".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("\"a\\nb\\t\\\"c\\\"\\\\\"");
    assertThat(DisplayText.value(new byte[0])).isEqualTo("\"\"");
    // Would read as a reply type, or lose its blanks.
    assertThat(DisplayText.value("(nil)".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"(nil)\"");
    assertThat(DisplayText.value(" x".getBytes(StandardCharsets.UTF_8))).isEqualTo("\" x\"");
  }

  @Test
  void terminalEscapesNeverReachTheTerminalRaw() {
    String red = "\u001b[31mred\u001b[0m";
    assertThat(DisplayText.value(red.getBytes(StandardCharsets.UTF_8))).isEqualTo("\"\\x1b[31mred\\x1b[0m\"")
        .doesNotContain("\u001b");
    assertThat(DisplayText.message("ERR bad " + red)).isEqualTo("ERR bad \\x1b[31mred\\x1b[0m");
    // A right-to-left override (a format character) and a C1 control are not shown raw either.
    assertThat(DisplayText.value("a\u202eb".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"a\\xe2\\x80\\xaeb\"");
    assertThat(DisplayText.value("a\u009bb".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"a\\xc2\\x9bb\"");
  }

  @Test
  void jsonGivesUtf8AsAStringAndOtherBytesAsBase64() {
    assertThat(JsonReplyPrinter.toJson(bulk("héllo\n\u001b".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("\"héllo\\n\\u001b\"");
    assertThat(JsonReplyPrinter.toJson(bulk(bytes(0xff, 0xfe, 'a')))).isEqualTo("{\"base64\": \"//5h\"}");
  }

  private static Reply bulk(byte[] value) {
    return Reply.newBuilder().setBulk(ByteString.copyFrom(value)).build();
  }
}
