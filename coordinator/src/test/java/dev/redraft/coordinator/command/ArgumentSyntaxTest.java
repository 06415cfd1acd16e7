package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.redraft.coordinator.command.InvalidCommandException.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Option and number parsing. Each refusal and its message was checked against redis-server 7.0.15,
 * as was each acceptance (Redis accepts repeated options such as "EX 10 EX 20" or "NX NX").
 */
class ArgumentSyntaxTest {

  private static final String NOT_INTEGER = "ERR value is not an integer or out of range";

  @ParameterizedTest
  @ValueSource(strings = {
      "SET k v NX", "SET k v XX GET", "SET k v GET", "SET k v GET GET", "SET k v NX NX",
      "SET k v KEEPTTL", "SET k v KEEPTTL KEEPTTL XX", "SET k v EX 1", "SET k v px 1 nx get",
      "SET k v EXAT 1800000000", "SET k v PXAT 1800000000000", "SET k v EX 10 EX 20",
      "SET k v EX abc EX 10", "SET k v EXAT 9223372036854775",
      "SET k v PXAT 9223372036854775807"})
  void acceptsSetOptionsRedisAccepts(String line) {
    assertThat(Argv.validate(line).name()).isEqualTo("SET");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SET k v FOO | ERR syntax error",
      "SET k v NX XX | ERR syntax error",
      "SET k v XX NX | ERR syntax error",
      "SET k v EX 10 PX 10 | ERR syntax error",
      "SET k v EXAT 10 PXAT 10 | ERR syntax error",
      "SET k v KEEPTTL EX 1 | ERR syntax error",
      "SET k v EX 1 KEEPTTL | ERR syntax error",
      "SET k v EX | ERR syntax error",
      "SET k v PX 1 PX | ERR syntax error",
      "SET k v EX abc FOO | ERR syntax error",
      "SET k v EX 10 FOO | ERR syntax error",
      "SET k v EX abc | " + NOT_INTEGER,
      "SET k v EX +5 | " + NOT_INTEGER,
      "SET k v PX 1.5 | " + NOT_INTEGER,
      "SET k v EX 0 | ERR invalid expire time in 'set' command",
      "SET k v EX -1 | ERR invalid expire time in 'set' command",
      "SET k v PX 0 | ERR invalid expire time in 'set' command",
      "SET k v EXAT 0 | ERR invalid expire time in 'set' command",
      "SET k v PXAT 0 | ERR invalid expire time in 'set' command",
      "SET k v PXAT -5 | ERR invalid expire time in 'set' command",
      "SET k v EX 9223372036854776 | ERR invalid expire time in 'set' command",
      "SET k v EXAT 9223372036854776 | ERR invalid expire time in 'set' command",
  })
  void refusesSetOptionsRedisRefuses(String line, String message) {
    assertRefused(line, message);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "EXPIRE k 10", "EXPIRE k -10", "EXPIRE k 0", "EXPIRE k 10 NX", "EXPIRE k 10 nx NX",
      "EXPIRE k 10 XX GT", "EXPIRE k 10 xx lt", "EXPIRE k 10 GT",
      "EXPIRE k -9223372036854775", "PEXPIRE k -100",
      "EXPIREAT k 9223372036854775", "EXPIREAT k -1", "PEXPIREAT k -5",
      "PEXPIREAT k 9223372036854775807", "PEXPIREAT k -9223372036854775808"})
  void acceptsExpireArgumentsRedisAccepts(String line) {
    assertThat(Argv.keys(Argv.validate(line))).containsExactly("k");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "EXPIRE k abc | " + NOT_INTEGER,
      "EXPIRE k 1.5 | " + NOT_INTEGER,
      "EXPIRE k -0 | " + NOT_INTEGER,
      "PEXPIREAT k 99999999999999999999 | " + NOT_INTEGER,
      "EXPIRE k 10 FOO | ERR Unsupported option FOO",
      "EXPIRE k abc FOO | ERR Unsupported option FOO",
      "EXPIRE k 10 nx xx | ERR NX and XX, GT or LT options at the same time are not compatible",
      "EXPIRE k 10 NX GT | ERR NX and XX, GT or LT options at the same time are not compatible",
      "PEXPIRE k 10 LT NX | ERR NX and XX, GT or LT options at the same time are not compatible",
      "EXPIREAT k 10 GT LT | ERR GT and LT options at the same time are not compatible",
      "EXPIRE k 9223372036854776 | ERR invalid expire time in 'expire' command",
      "EXPIRE k -9223372036854776 | ERR invalid expire time in 'expire' command",
      "EXPIREAT k 9223372036854776 | ERR invalid expire time in 'expireat' command",
  })
  void refusesExpireArgumentsRedisRefuses(String line, String message) {
    assertRefused(line, message);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ZADD z 1 a", "ZADD z NX NX 1 a", "ZADD z XX GT 1 a", "ZADD z XX LT CH 1 a 2 b",
      "ZADD z CH INCR 1 a", "ZADD z nx ch 1 a", "ZADD z 1 nx"})
  void acceptsZaddOptionsRedisAccepts(String line) {
    assertThat(Argv.validate(line).name()).isEqualTo("ZADD");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ZADD z 1 a 2 | ERR syntax error",
      "ZADD z NX 1 | ERR syntax error",
      "ZADD z NX CH | ERR syntax error",
      "ZADD z NX XX 1 a | ERR XX and NX options at the same time are not compatible",
      "ZADD z GT LT 1 a | ERR GT, LT, and/or NX options at the same time are not compatible",
      "ZADD z NX GT 1 a | ERR GT, LT, and/or NX options at the same time are not compatible",
      "ZADD z INCR 1 a 2 b | ERR INCR option supports a single increment-element pair",
  })
  void refusesZaddOptionsRedisRefuses(String line, String message) {
    assertRefused(line, message);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ZRANGE z 0 -1", "ZRANGE z 0 -1 WITHSCORES WITHSCORES", "ZRANGE z 0 -1 REV",
      "ZRANGE z 0 1 LIMIT 5 -1", "ZRANGE z 0 1 LIMIT 0 1 BYSCORE",
      "ZRANGE z 0 1 BYSCORE LIMIT 0 1 LIMIT 1 2", "ZRANGE z [a [z BYLEX REV LIMIT 0 3"})
  void acceptsZrangeOptionsRedisAccepts(String line) {
    assertThat(Argv.validate(line).name()).isEqualTo("ZRANGE");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ZRANGE z 0 1 FOO | ERR syntax error",
      "ZRANGE z 0 1 REV REV | ERR syntax error",
      "ZRANGE z 0 1 BYSCORE BYLEX | ERR syntax error",
      "ZRANGE z 0 1 BYLEX LIMIT 0 | ERR syntax error",
      "ZRANGE z 0 1 BYSCORE LIMIT a 1 | " + NOT_INTEGER,
      "ZRANGE z 0 1 LIMIT 0 1 | ERR syntax error, LIMIT is only supported in combination with"
          + " either BYSCORE or BYLEX",
      "ZRANGE z 0 1 LIMIT 0 -2 | ERR syntax error, LIMIT is only supported in combination with"
          + " either BYSCORE or BYLEX",
      "ZRANGE z 0 1 BYLEX WITHSCORES | ERR syntax error, WITHSCORES not supported in combination"
          + " with BYLEX",
  })
  void refusesZrangeOptionsRedisRefuses(String line, String message) {
    assertRefused(line, message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "INCRBY k 1.5 | " + NOT_INTEGER,
      "INCRBY k 9223372036854775808 | " + NOT_INTEGER,
      "DECRBY k x | " + NOT_INTEGER,
      "DECRBY k -9223372036854775808 | ERR decrement would overflow",
      "HINCRBY h f x | " + NOT_INTEGER,
      "LRANGE l a 1 | " + NOT_INTEGER,
      "LTRIM l 0 b | " + NOT_INTEGER,
      "LPOP l -1 | ERR value is out of range, must be positive",
      "RPOP l abc | ERR value is out of range, must be positive",
      "LPOP l -0 | ERR value is out of range, must be positive",
  })
  void refusesNonIntegersWhereRedisParsesIntegers(String line, String message) {
    assertRefused(line, message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INCRBY k -9223372036854775808", "DECRBY k -9223372036854775807",
      "LPOP l 0", "RPOP l 9223372036854775807", "LRANGE l -9223372036854775808 0"})
  void acceptsIntegerEdgesRedisAccepts(String line) {
    assertThat(Argv.validate(line).keys()).hasSize(1);
  }

  private static void assertRefused(String line, String message) {
    InvalidCommandException e =
        catchThrowableOfType(InvalidCommandException.class, () -> Argv.validate(line));
    assertThat(e).as("expected %s to be refused", line).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
    assertThat(e).hasMessage(message);
  }
}
