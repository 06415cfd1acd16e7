package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.redraft.coordinator.command.InvalidCommandException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeterminizerTest {

  private static final long NOW = 1_700_000_000_000L;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // relative seconds and milliseconds count from the logical time
      "EXPIRE k 10 | PEXPIREAT k 1700000010000",
      "expire k 10 nx | PEXPIREAT k 1700000010000 nx",
      "EXPIRE k 10 XX GT | PEXPIREAT k 1700000010000 XX GT",
      "PEXPIRE k 1500 | PEXPIREAT k 1700000001500",
      "PEXPIRE k 0 LT | PEXPIREAT k 1700000000000 LT",
      // a negative TTL is a deadline in the past: Redis deletes the key, as for the original
      "EXPIRE k -10 | PEXPIREAT k 1699999990000",
      "PEXPIRE k -1 | PEXPIREAT k 1699999999999",
      // absolute seconds only change unit
      "EXPIREAT k 1800000000 | PEXPIREAT k 1800000000000",
      "EXPIREAT k -3 | PEXPIREAT k -3000",
      "EXPIREAT k 9223372036854775 | PEXPIREAT k 9223372036854775000",
      // PEXPIREAT is already absolute
      "PEXPIREAT k 1800000000123 GT | PEXPIREAT k 1800000000123 GT",
      // SET: the expiry option becomes PXAT, at the end, other options kept in order
      "SET k v EX 10 | SET k v PXAT 1700000010000",
      "set k v nx ex 10 get | SET k v nx get PXAT 1700000010000",
      "SET k v PX 1500 XX | SET k v XX PXAT 1700000001500",
      "SET k v EXAT 1800000000 | SET k v PXAT 1800000000000",
      "SET k v EX 1 EX 20 | SET k v PXAT 1700000020000",
      "SET k v EX abc NX EX 2 | SET k v NX PXAT 1700000002000",
      "SET k v PXAT 1800000000123 | SET k v PXAT 1800000000123",
      "SET k v KEEPTTL GET | SET k v KEEPTTL GET",
      "SET EX EX EX 5 | SET EX EX PXAT 1700000005000",
      // SETEX and PSETEX become SET ... PXAT; GETEX's relative times become PXAT
      "SETEX k 10 v | SET k v PXAT 1700000010000",
      "psetex k 1500 v | SET k v PXAT 1700000001500",
      "GETEX k EX 10 | GETEX k PXAT 1700000010000",
      "getex k px 10 px 20 | GETEX k PXAT 1700000000020",
      "GETEX k EXAT 1800000000 | GETEX k PXAT 1800000000000",
      "GETEX k PERSIST | GETEX k PERSIST",
      "GETEX k | GETEX k",
      // GETEX's time is checked by Redis only once it found the key: an invalid one is kept as given
      "GETEX k EX 0 | GETEX k EX 0",
      "GETEX k EX 9223372036854775 | GETEX k EX 9223372036854775",
      // everything else is unchanged
      "GETDEL k | GETDEL k",
      "XADD s * f v | XADD s * f v",
      "INCR k | INCR k",
      "GET k | GET k",
      "ZADD z INCR 1 a | ZADD z INCR 1 a",
  })
  void rewritesRelativeTimesToAbsoluteDeadlines(String line, String expected) {
    ValidatedCommand deterministic = Determinizer.toDeterministic(Argv.validate(line), NOW);

    assertThat(Argv.text(deterministic)).isEqualTo(expected);
    assertThat(deterministic.name()).isEqualTo(Argv.name(expected));
    assertThat(deterministic.keyPositions()).containsExactly(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"EXPIRE k 10 NX", "SET k v EX 10 GET", "PEXPIRE k -5", "EXPIREAT k 5",
      "SET k v PX 7", "SET k v EXAT 1", "DEL a b"})
  void theRewrittenCommandIsValidAndAFixedPoint(String line) {
    ValidatedCommand once = Determinizer.toDeterministic(Argv.validate(line), NOW);

    ValidatedCommand revalidated = Argv.validate(Argv.text(once));
    assertThat(revalidated).isEqualTo(once);
    assertThat(Determinizer.toDeterministic(once, NOW + 99_999)).isEqualTo(once);
  }

  @Test
  void theSameCommandAtTheSameLogicalTimeGivesTheSameEntry() {
    ValidatedCommand cmd = Argv.validate("SET k v EX 30");
    assertThat(Determinizer.toDeterministic(cmd, NOW))
        .isEqualTo(Determinizer.toDeterministic(cmd, NOW))
        .isNotEqualTo(Determinizer.toDeterministic(cmd, NOW + 1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // seconds that fit after * 1000 but overflow once the logical time is added
      "EXPIRE k 9223372036854775 | expire",
      "SET k v EX 9223372036854775 | set",
      "PEXPIRE k 9223372036854775807 | pexpire",
      "SET k v PX 9223372036854775807 | set",
      // exactly one past the largest deadline
      "PEXPIRE k 9223370336854775808 | pexpire",
      "SET k v PX 9223370336854775808 | set",
  })
  void refusesDeadlinesThatOverflow(String line, String command) {
    ValidatedCommand cmd = Argv.validate(line);

    InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class,
        () -> Determinizer.toDeterministic(cmd, NOW));

    assertThat(e).as(line).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
    assertThat(e).hasMessage("ERR invalid expire time in '" + command + "' command");
  }

  @Test
  void acceptsTheLargestDeadlineThatFits() {
    long largest = Long.MAX_VALUE - NOW;
    ValidatedCommand cmd = Argv.validate("PEXPIRE k " + largest);
    assertThat(Argv.text(Determinizer.toDeterministic(cmd, NOW)))
        .isEqualTo("PEXPIREAT k " + Long.MAX_VALUE);
  }

  @Test
  void refusesANegativeLogicalTime() {
    ValidatedCommand cmd = Argv.validate("EXPIRE k 1");
    assertThatThrownBy(() -> Determinizer.toDeterministic(cmd, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logicalTimeMs");
  }
}
