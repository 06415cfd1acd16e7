package dev.redraft.client.cli.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.cli.output.DisplayText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** redis-cli's quoting rules for one command line. */
class RedisLineSplitterTest {
  private static List<String> words(String line) {
    return RedisLineSplitter.split(line.getBytes(StandardCharsets.UTF_8)).stream()
        .map(w -> new String(w, StandardCharsets.ISO_8859_1)).toList();
  }

  @Test
  void blanksSeparateWords() {
    assertThat(words("  SET  a\t1 ")).containsExactly("SET", "a", "1");
    assertThat(words("   ")).isEmpty();
  }

  @Test
  void doubleQuotesTakeEscapesAndHexBytes() {
    assertThat(words("SET k \"a b\\n\\t\\\"q\\\\ \\xff\\x00\\xAb\"")).containsExactly("SET", "k",
        "a b\n\t\"q\\ \u00ff\u0000\u00ab");
    assertThat(words("SET k \"\"")).containsExactly("SET", "k", "");
  }

  @Test
  void singleQuotesTakeOnlyAnEscapedQuote() {
    assertThat(words("SET k 'it\\'s \\n'")).containsExactly("SET", "k", "it's \\n");
  }

  @Test
  void badQuotingIsRefusedWithTheReason() {
    assertThatThrownBy(() -> words("SET k \"open")).hasMessageContaining("unbalanced quotes");
    assertThatThrownBy(() -> words("SET k 'open")).hasMessageContaining("unbalanced quotes");
    assertThatThrownBy(() -> words("SET k \"a\"b")).hasMessageContaining("closing");
  }

  @Test
  void whatTheToolPrintsQuotedReadsBackAsTheSameBytes() {
    byte[] every = new byte[256];
    for (int i = 0; i < 256; i++) {
      every[i] = (byte) i;
    }
    String printed = DisplayText.value(every);
    List<byte[]> parsed = RedisLineSplitter.split(("SET k " + printed).getBytes(StandardCharsets.UTF_8));
    assertThat(parsed.get(2)).isEqualTo(every);
  }
}
