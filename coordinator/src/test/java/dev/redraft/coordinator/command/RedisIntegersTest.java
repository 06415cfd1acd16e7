package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedisIntegersTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0",
      "7, 7",
      "-7, -7",
      "1234567890, 1234567890",
      "9223372036854775807, 9223372036854775807",
      "-9223372036854775808, -9223372036854775808",
  })
  void parsesWhatRedisParses(String text, long expected) {
    assertThat(RedisIntegers.parse(text.getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(OptionalLong.of(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "-0", "+1", "01", "00", " 1", "1 ", "1.0", "1e3", "abc", "0x10",
      "9223372036854775808", "-9223372036854775809", "99999999999999999999", "12a"})
  void refusesWhatRedisRefuses(String text) {
    assertThat(RedisIntegers.parse(text.getBytes(StandardCharsets.US_ASCII))).isEmpty();
  }
}
