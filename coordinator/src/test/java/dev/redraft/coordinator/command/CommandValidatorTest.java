package dev.redraft.coordinator.command;

import static dev.redraft.coordinator.command.Argv.VALIDATOR;
import static dev.redraft.coordinator.command.Argv.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.redraft.coordinator.command.InvalidCommandException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandValidatorTest {

  /** A valid invocation of every supported command, with its key positions. */
  static Stream<Arguments> validInvocations() {
    return Stream.of(
        Arguments.of("SET k v", "[1]"),
        Arguments.of("set k v nx get ex 10", "[1]"),
        Arguments.of("GET k", "[1]"),
        Arguments.of("MGET a b c", "[1, 2, 3]"),
        Arguments.of("MSET a 1 b 2 c 3", "[1, 3, 5]"),
        Arguments.of("INCR k", "[1]"),
        Arguments.of("INCRBY k -5", "[1]"),
        Arguments.of("DECR k", "[1]"),
        Arguments.of("DECRBY k 5", "[1]"),
        Arguments.of("APPEND k tail", "[1]"),
        Arguments.of("DEL a b", "[1, 2]"),
        Arguments.of("EXISTS a b c", "[1, 2, 3]"),
        Arguments.of("STRLEN k", "[1]"),
        Arguments.of("EXPIRE k 10", "[1]"),
        Arguments.of("PEXPIRE k 10 XX GT", "[1]"),
        Arguments.of("EXPIREAT k 1800000000 LT", "[1]"),
        Arguments.of("PEXPIREAT k 1800000000000 NX", "[1]"),
        Arguments.of("PERSIST k", "[1]"),
        Arguments.of("TTL k", "[1]"),
        Arguments.of("PTTL k", "[1]"),
        Arguments.of("HSET h f1 v1 f2 v2", "[1]"),
        Arguments.of("HGET h f", "[1]"),
        Arguments.of("HGETALL h", "[1]"),
        Arguments.of("HDEL h f1 f2", "[1]"),
        Arguments.of("HINCRBY h f 3", "[1]"),
        Arguments.of("HLEN h", "[1]"),
        Arguments.of("LPUSH l a b", "[1]"),
        Arguments.of("RPUSH l a", "[1]"),
        Arguments.of("LPOP l", "[1]"),
        Arguments.of("RPOP l 3", "[1]"),
        Arguments.of("LRANGE l 0 -1", "[1]"),
        Arguments.of("LLEN l", "[1]"),
        Arguments.of("LTRIM l 1 -2", "[1]"),
        Arguments.of("SADD s a b", "[1]"),
        Arguments.of("SREM s a", "[1]"),
        Arguments.of("SMEMBERS s", "[1]"),
        Arguments.of("SISMEMBER s a", "[1]"),
        Arguments.of("SCARD s", "[1]"),
        Arguments.of("ZADD z XX GT CH 1.5 a 2 b", "[1]"),
        Arguments.of("ZREM z a b", "[1]"),
        Arguments.of("ZINCRBY z 2.5 a", "[1]"),
        Arguments.of("ZRANGE z (1 +inf BYSCORE REV LIMIT 0 10 WITHSCORES", "[1]"),
        Arguments.of("ZSCORE z a", "[1]"),
        Arguments.of("ZCARD z", "[1]"));
  }

  @ParameterizedTest
  @MethodSource("validInvocations")
  void acceptsAValidInvocationOfEachCommand(String line, String keyPositions) {
    ValidatedCommand cmd = Argv.validate(line);

    assertThat(cmd.name()).isEqualTo(Argv.name(line).toUpperCase());
    assertThat(new String(cmd.argv().get(0), StandardCharsets.US_ASCII)).isEqualTo(cmd.name());
    assertThat(cmd.argv()).hasSize(args(line).size() + 1);
    assertThat(Argv.positions(cmd)).isEqualTo(keyPositions);
  }

  @Test
  void aSampleOfEveryCommandValidates() {
    // Their key positions are compared with Redis' own in CommandCatalogRedisTest.
    assertThat(CommandSamples.LINES.values()).allSatisfy(Argv::validate);
  }

  /** For every command: one argument too few, and one too many where there is a maximum. */
  static Stream<Arguments> wrongArities() {
    List<Arguments> cases = new ArrayList<>();
    for (CommandSpec spec : CommandCatalog.supported()) {
      if (spec.minArity() > 1) {
        cases.add(Arguments.of(spec, spec.minArity() - 1));
      }
      if (spec.maxArity() != -1) {
        cases.add(Arguments.of(spec, spec.maxArity() + 1));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("wrongArities")
  void refusesWrongArityForEachCommand(CommandSpec spec, int argc) {
    List<byte[]> args = new ArrayList<>(Collections.nCopies(argc - 1, "1".getBytes()));

    assertThatThrownBy(() -> VALIDATOR.validate(spec.name(), args, spec.kind()))
        .isInstanceOfSatisfying(InvalidCommandException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_ARITY))
        .hasMessage("ERR wrong number of arguments for '" + spec.name().toLowerCase()
            + "' command");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MSET a 1 b", "MSET a", "HSET h f", "HSET h f v g", "LPOP l 1 2",
      "GET a b", "ZADD z 1", "EXPIRE k", "ZRANGE z 0"})
  void refusesUnpairedAndMiscountedArguments(String line) {
    assertThat(failure(line).reason()).isEqualTo(Reason.WRONG_ARITY);
  }

  @Test
  void knownArityDetails() {
    assertThat(CommandCatalog.find("SET").orElseThrow()).satisfies(s -> {
      assertThat(s.minArity()).isEqualTo(3);
      assertThat(s.maxArity()).isEqualTo(-1);
    });
    // Redis' table says -2; LPOP itself refuses a fourth argument as a wrong arity (ArgumentSyntax).
    assertThat(CommandCatalog.find("LPOP").orElseThrow()).satisfies(s -> {
      assertThat(s.minArity()).isEqualTo(2);
      assertThat(s.maxArity()).isEqualTo(-1);
    });
    assertThat(CommandCatalog.find("ZADD").orElseThrow().minArity()).isEqualTo(4);
    assertThat(CommandCatalog.find("HINCRBY").orElseThrow().maxArity()).isEqualTo(4);
  }

  @ParameterizedTest
  @CsvSource({
      "GET, READ, WRITE, ERR GET is a read: send it with Read",
      "zrange, READ, WRITE, ERR ZRANGE is a read: send it with Read",
      "SET, WRITE, READ, ERR SET is a write: send it with Write",
      "expire, WRITE, READ, ERR EXPIRE is a write: send it with Write",
  })
  void refusesAReadSentAsAWriteAndViceVersa(String name, CommandKind actual, CommandKind sentAs,
      String message) {
    List<byte[]> args = args(name + " k v 10");
    InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class,
        () -> VALIDATOR.validate(name, args, sentAs));
    assertThat(e.reason()).isEqualTo(Reason.WRONG_KIND);
    assertThat(e).hasMessage(message);
    assertThat(CommandCatalog.find(name).orElseThrow().kind()).isEqualTo(actual);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SET __redraft:applied 1", "GET __redraft:session:c1",
      "MSET a 1 __redraft:x 2", "DEL a b __redraft:", "EXISTS __redraft:x",
      "HSET __redraft:h f v", "expire __redraft:k 10"})
  void refusesReservedKeysInAnyKeyPosition(String line) {
    InvalidCommandException e = failure(line);
    assertThat(e.reason()).isEqualTo(Reason.RESERVED_KEY);
    assertThat(e).hasMessageContaining("keys starting with __redraft: are reserved for Redraft's"
        + " own state");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SET k __redraft:value", "MSET a __redraft:x", "HSET h __redraft:f v",
      "SET __REDRAFT:k v", "SET _redraft:k v", "SET x__redraft:k v", "SADD s __redraft:m"})
  void onlyKeysAreReservedAndTheMatchIsExact(String line) {
    assertThat(Argv.validate(line).name()).isEqualTo(Argv.name(line).toUpperCase());
  }

  @Test
  void refusesAnArgumentOverTheSizeLimitNamingTheLimit() {
    CommandValidator validator = new CommandValidator(new Limits(8, 100));
    List<byte[]> args = List.of("k".getBytes(), "123456789".getBytes());

    InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class,
        () -> validator.validate("SET", args, CommandKind.WRITE));

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessage("ERR argument 2 of 'set' is 9 bytes, the limit is 8 bytes per argument");
    assertThat(validator.validate("SET", List.of("k".getBytes(), "12345678".getBytes()),
        CommandKind.WRITE).argv()).hasSize(3);
  }

  @Test
  void refusesTooManyArgumentsNamingTheLimit() {
    CommandValidator validator = new CommandValidator(new Limits(100, 4));

    InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class,
        () -> validator.validate("DEL", args("DEL a b c d e"), CommandKind.WRITE));

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessageContaining("too many arguments for 'del': 5, the limit is 4");
    assertThat(validator.validate("DEL", args("DEL a b c d"), CommandKind.WRITE).keys())
        .hasSize(4);
  }

  @Test
  void aWriteBatchMayHoldReadsThatEveryReplicaAnswersAlike() {
    assertThat(VALIDATOR.validateInWrite("TTL", args("TTL k"), 2).name()).isEqualTo("TTL");
    assertThat(VALIDATOR.validateInWrite("set", args("SET k v"), 1).name()).isEqualTo("SET");
    InvalidCommandException alone = catchThrowableOfType(
        () -> VALIDATOR.validateInWrite("GET", args("GET k"), 1), InvalidCommandException.class);
    assertThat(alone).hasMessage("ERR GET is a read: send it with Read");
    InvalidCommandException varies = catchThrowableOfType(
        () -> VALIDATOR.validateInWrite("HGETALL", args("HGETALL h"), 3), InvalidCommandException.class);
    assertThat(varies.reason()).isEqualTo(Reason.WRONG_KIND);
    assertThat(varies).hasMessageStartingWith("ERR HGETALL cannot be part of a write batch");
    InvalidCommandException flush = catchThrowableOfType(
        () -> VALIDATOR.validateInWrite("FLUSHDB", List.of(), 2), InvalidCommandException.class);
    assertThat(flush).hasMessageStartingWith("ERR FLUSHDB cannot be part of a write batch");
    assertThat(VALIDATOR.validateInWrite("FLUSHDB", List.of(), 1).name()).isEqualTo("FLUSHDB");
    // The other checks still apply inside a batch.
    assertThat(catchThrowableOfType(() -> VALIDATOR.validateInWrite("GET", args("GET __redraft:applied"), 2),
        InvalidCommandException.class).reason()).isEqualTo(Reason.RESERVED_KEY);
    assertThat(catchThrowableOfType(() -> VALIDATOR.validateInWrite("TTL", args("TTL a b"), 2),
        InvalidCommandException.class).reason()).isEqualTo(Reason.WRONG_ARITY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"NOSUCH k", "SORT l", "ſet k v"})
  void refusesUnknownCommands(String line) {
    InvalidCommandException e = failure(line);
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_COMMAND);
    assertThat(e).hasMessageStartingWith("ERR unknown command '" + Argv.name(line) + "'");
  }

  @Test
  void refusesAnEmptyName() {
    assertThatThrownBy(() -> VALIDATOR.validate(" ", List.of(), CommandKind.WRITE))
        .isInstanceOfSatisfying(InvalidCommandException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_COMMAND))
        .hasMessageContaining("empty command name");
  }

  @ParameterizedTest
  @CsvSource({
      "spop s, SPOP is not supported by Redraft: it is nondeterministic",
      "CONFIG GET x, CONFIG is not supported by Redraft: it acts on the whole server",
      "multi, MULTI is not supported by Redraft: the gRPC API keeps no transaction state",
      "BLPOP l 0, BLPOP is not supported by Redraft: it blocks",
      "PUBLISH ch m, PUBLISH is not supported by Redraft: pub/sub",
      "XREADGROUP GROUP g c STREAMS s >, XREADGROUP is not supported by Redraft: it is nondeterministic",
  })
  void refusesRefusedCommandsWithTheirReason(String line, String messageStart) {
    InvalidCommandException e = failure(line);
    assertThat(e.reason()).isEqualTo(Reason.REFUSED_COMMAND);
    assertThat(e).hasMessageStartingWith("ERR " + messageStart);
  }

  @Test
  void keepsArgumentBytesAsGivenAndUpperCasesOnlyTheName() {
    byte[] binary = {0, (byte) 0xff, 'e', 'x'};
    ValidatedCommand cmd = VALIDATOR.validate("sEt", List.of("Key".getBytes(), binary),
        CommandKind.WRITE);

    assertThat(cmd.argv().get(0)).isEqualTo("SET".getBytes());
    assertThat(cmd.argv().get(1)).isEqualTo("Key".getBytes());
    assertThat(cmd.argv().get(2)).isEqualTo(binary);
    assertThat(cmd.keys()).containsExactly("Key".getBytes());
  }

  @Test
  void validatedCommandDoesNotExposeItsKeyPositionsForChange() {
    ValidatedCommand cmd = Argv.validate("DEL a b");
    cmd.keyPositions()[0] = 2;
    assertThat(cmd.keyPositions()).containsExactly(1, 2);
    assertThatThrownBy(() -> cmd.argv().add(new byte[0]))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private static InvalidCommandException failure(String line) {
    InvalidCommandException e =
        catchThrowableOfType(InvalidCommandException.class, () -> Argv.validate(line));
    assertThat(e).as("expected %s to be refused", line).isNotNull();
    return e;
  }
}
