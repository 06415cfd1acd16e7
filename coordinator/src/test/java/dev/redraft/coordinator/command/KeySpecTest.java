package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key positions from key specs, including those that read a count or a keyword in argv. */
class KeySpecTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "DBSIZE | none | []",
      "GET k | single | [1]",
      "MSET a 1 b 2 | pairs | [1, 3]",
      "OBJECT ENCODING k | range2 | [2]",
      "BITOP AND d a b | from2 | [2, 3, 4]",
      "LMPOP 2 a b LEFT COUNT 3 | counted1 | [2, 3]",
      "ZUNIONSTORE d 3 a b c WEIGHTS 1 2 3 | dest | [1, 3, 4, 5]",
      "XREAD COUNT 2 STREAMS a b 0 0 | streams | [4, 5]",
      "XREAD STREAMS STREAMS 0 | streams | [2]",
  })
  void findsTheKeys(String line, String spec, String positions) {
    assertThat(java.util.Arrays.toString(spec(spec).positions(argv(line)))).isEqualTo(positions);
  }

  @ParameterizedTest
  @ValueSource(strings = {"LMPOP x a LEFT", "LMPOP 0 a LEFT", "LMPOP 5 a LEFT", "LMPOP -1 a",
      "LMPOP 99999999999999999999 a"})
  void aCountThatIsNoCountOrTooLargeIsASyntaxError(String line) {
    assertThatThrownBy(() -> spec("counted1").positions(argv(line)))
        .isInstanceOfSatisfying(InvalidCommandException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidCommandException.Reason.SYNTAX));
  }

  @ParameterizedTest
  @ValueSource(strings = {"XREAD COUNT 2", "XREAD STREAMS a b c", "XREAD STREAMS"})
  void aMissingKeywordOrAnOddRemainderIsASyntaxError(String line) {
    assertThatThrownBy(() -> spec("streams").positions(argv(line)))
        .isInstanceOf(InvalidCommandException.class);
  }

  @Test
  void aRangeMustMakeSense() {
    assertThatThrownBy(() -> new KeySpec.Range(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeySpec.Range(3, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeySpec.KeyNum(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static KeySpec spec(String name) {
    return switch (name) {
      case "none" -> KeySpec.none();
      case "single" -> KeySpec.single();
      case "pairs" -> KeySpec.keyValuePairs();
      case "range2" -> KeySpec.range(2, 2);
      case "from2" -> KeySpec.allFrom(2);
      case "counted1" -> KeySpec.counted(1);
      case "dest" -> KeySpec.destinationThenCounted(2);
      case "streams" -> KeySpec.halfAfterKeyword("STREAMS");
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static List<byte[]> argv(String line) {
    List<byte[]> argv = new ArrayList<>();
    for (String word : line.split(" ")) {
      argv.add(word.getBytes(StandardCharsets.UTF_8));
    }
    return argv;
  }
}
