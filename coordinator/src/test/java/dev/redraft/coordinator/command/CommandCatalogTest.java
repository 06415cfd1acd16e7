package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.command.CommandCatalog.RefusalClass;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandCatalogTest {

  private static final Set<String> READS = Set.of("GET", "MGET", "EXISTS", "STRLEN", "TTL", "PTTL",
      "HGET", "HGETALL", "HLEN", "LRANGE", "LLEN", "SMEMBERS", "SISMEMBER", "SCARD", "ZRANGE",
      "ZSCORE", "ZCARD");

  private static final Set<String> SUPPORTED = Set.of(
      "SET", "GET", "MGET", "MSET", "INCR", "INCRBY", "DECR", "DECRBY", "APPEND", "DEL", "EXISTS",
      "STRLEN", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST", "TTL", "PTTL", "HSET",
      "HGET", "HGETALL", "HDEL", "HINCRBY", "HLEN", "LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE",
      "LLEN", "LTRIM", "SADD", "SREM", "SMEMBERS", "SISMEMBER", "SCARD", "ZADD", "ZREM", "ZINCRBY",
      "ZRANGE", "ZSCORE", "ZCARD");

  @Test
  void supportsExactlyTheListedCommands() {
    assertThat(CommandCatalog.supported()).extracting(CommandSpec::name)
        .containsExactlyInAnyOrderElementsOf(SUPPORTED);
  }

  @Test
  void listedReadsAreReadsAndEverythingElseIsAWrite() {
    for (CommandSpec spec : CommandCatalog.supported()) {
      CommandKind expected = READS.contains(spec.name()) ? CommandKind.READ : CommandKind.WRITE;
      assertThat(spec.kind()).as(spec.name()).isEqualTo(expected);
    }
  }

  @Test
  void everySupportedCommandHasAUsageLineStartingWithItsName() {
    for (CommandSpec spec : CommandCatalog.supported()) {
      assertThat(spec.summary()).as(spec.name()).startsWith(spec.name() + " key");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "Get", "GET", "zRaNgE", "pexpireat"})
  void findsNamesIgnoringAsciiCase(String name) {
    assertThat(CommandCatalog.find(name)).get().extracting(CommandSpec::name)
        .isEqualTo(name.toUpperCase());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ſet", "ınfo", "GET ", "", "NOSUCHCOMMAND", "HMSET", "ZPOPMIN"})
  void unknownNamesAreNeitherSupportedNorRefused(String name) {
    assertThat(CommandCatalog.find(name)).isEmpty();
    assertThat(CommandCatalog.refusalReason(name)).isEmpty();
  }

  @Test
  void noCommandIsBothSupportedAndRefused() {
    for (String refused : CommandCatalog.refusedNames()) {
      assertThat(CommandCatalog.find(refused)).as(refused).isEmpty();
    }
  }

  @Test
  void everyRefusalClassNamedInTheBriefIsPresent() {
    assertThat(CommandCatalog.refusedNames())
        .map(name -> CommandCatalog.refusalClass(name).orElseThrow())
        .containsAll(List.of(RefusalClass.values()));
  }

  @ParameterizedTest
  @CsvSource({
      "NONDETERMINISTIC, RANDOMKEY SPOP SRANDMEMBER HRANDFIELD ZRANDMEMBER TIME EVAL EVALSHA EVAL_RO"
          + " EVALSHA_RO FCALL FCALL_RO FUNCTION SCRIPT",
      "SERVER_ADMIN, FLUSHALL FLUSHDB CONFIG DEBUG SHUTDOWN SAVE BGSAVE BGREWRITEAOF REPLICAOF"
          + " SLAVEOF CLIENT ACL MONITOR SELECT SWAPDB MOVE MIGRATE RESTORE OBJECT KEYS SCAN INFO"
          + " DBSIZE CLUSTER FAILOVER",
      "TRANSACTION, MULTI EXEC DISCARD WATCH UNWATCH",
      "BLOCKING, BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BLMPOP BZMPOP WAIT WAITAOF",
      "PUB_SUB, SUBSCRIBE PSUBSCRIBE PUBLISH UNSUBSCRIBE",
      "VARIANT, SETEX PSETEX SETNX GETSET",
  })
  void refusesEachListedCommandWithItsClassReason(RefusalClass refusalClass, String names) {
    for (String name : names.split(" ")) {
      assertThat(CommandCatalog.refusalClass(name)).as(name).contains(refusalClass);
      assertThat(CommandCatalog.refusalReason(name.toLowerCase())).as(name).get()
          .asString()
          .startsWith(name + " is not supported by Redraft: " + refusalClass.why + "; ");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SPOP | pick a member with SMEMBERS and SREM it",
      "FLUSHALL | delete keys with DEL",
      "FLUSHDB | delete keys with DEL",
      "SETEX | use SET with EX",
      "PSETEX | use SET with PX",
      "MULTI | use an atomic batch",
      "BLPOP | use LPOP",
      "EVAL | atomic batch",
  })
  void refusalsSayWhatToUseInstead(String name, String advice) {
    assertThat(CommandCatalog.refusalReason(name)).get().asString().contains(advice);
  }

  @Test
  void expireFamilyIsSupportedNotRefused() {
    Set<String> expireFamily = Set.of("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT");
    assertThat(CommandCatalog.supported().stream().map(CommandSpec::name)
        .collect(Collectors.toSet())).containsAll(expireFamily);
    expireFamily.forEach(name -> assertThat(CommandCatalog.refusalReason(name)).isEmpty());
  }
}
