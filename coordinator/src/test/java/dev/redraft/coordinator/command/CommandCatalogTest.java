package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.ReadOnlyCommands;
import dev.redraft.coordinator.command.CommandCatalog.RefusalClass;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandCatalogTest {

  @Test
  void theClientLibrarySendsExactlyTheCatalogsReadsAsReads() {
    assertThat(ReadOnlyCommands.names()).containsExactlyInAnyOrderElementsOf(CommandCatalog.supported()
        .stream().filter(spec -> spec.kind() == CommandKind.READ).map(CommandSpec::name).toList());
  }

  @Test
  void everySupportedCommandHasAUsageLineStartingWithItsName() {
    for (CommandSpec spec : CommandCatalog.supported()) {
      assertThat(spec.summary()).as(spec.name()).matches(spec.name() + "( .*)?");
    }
  }

  @Test
  void coversTheIssuesCommandSet() {
    String issue13 = "GETDEL GETEX GETSET SETNX SETEX PSETEX MSETNX INCRBYFLOAT GETRANGE SETRANGE LCS TYPE"
        + " RENAME RENAMENX COPY TOUCH UNLINK EXPIRETIME PEXPIRETIME OBJECT HMSET HMGET HSETNX HKEYS HVALS"
        + " HEXISTS HSTRLEN HINCRBYFLOAT LINDEX LSET LINSERT LREM LPOS LMOVE RPOPLPUSH LPUSHX RPUSHX LMPOP"
        + " SMOVE SMISMEMBER SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD ZRANGEBYSCORE"
        + " ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZPOPMIN"
        + " ZPOPMAX ZMPOP ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZUNIONSTORE ZINTERSTORE ZDIFFSTORE"
        + " ZRANGESTORE ZMSCORE ZUNION ZINTER ZDIFF SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO"
        + " PFADD PFCOUNT PFMERGE XADD XRANGE XREVRANGE XLEN XDEL XTRIM XREAD FLUSHDB FLUSHALL KEYS SCAN"
        + " HSCAN SSCAN ZSCAN DBSIZE RANDOMKEY SRANDMEMBER HRANDFIELD ZRANDMEMBER";
    for (String name : issue13.split(" ")) {
      assertThat(CommandCatalog.find(name)).as(name).isPresent();
    }
  }

  @Test
  void readsWhoseReplyVariesBetweenReplicasAreMarked() {
    for (String name : List.of("SMEMBERS", "HGETALL", "KEYS", "SCAN", "RANDOMKEY", "SRANDMEMBER",
        "SINTER", "HSCAN")) {
      assertThat(CommandCatalog.find(name).orElseThrow().replyVaries()).as(name).isTrue();
    }
    for (String name : List.of("GET", "TTL", "LRANGE", "ZRANGE", "DBSIZE", "HMGET")) {
      assertThat(CommandCatalog.find(name).orElseThrow().replyVaries()).as(name).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "Get", "GET", "zRaNgE", "pexpireat"})
  void findsNamesIgnoringAsciiCase(String name) {
    assertThat(CommandCatalog.find(name)).get().extracting(CommandSpec::name)
        .isEqualTo(name.toUpperCase());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ſet", "ınfo", "GET ", "", "NOSUCHCOMMAND", "SORT", "GEOADD"})
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
      "NONDETERMINISTIC, SPOP TIME EVAL EVALSHA EVAL_RO EVALSHA_RO FCALL FCALL_RO FUNCTION SCRIPT"
          + " XGROUP XREADGROUP XACK XCLAIM XAUTOCLAIM XPENDING XINFO",
      "SERVER_ADMIN, CONFIG DEBUG SHUTDOWN SAVE BGSAVE BGREWRITEAOF REPLICAOF"
          + " SLAVEOF CLIENT ACL MONITOR SELECT SWAPDB MOVE MIGRATE RESTORE INFO CLUSTER FAILOVER",
      "TRANSACTION, MULTI EXEC DISCARD UNWATCH",
      "BLOCKING, BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BLMPOP BZMPOP WAIT WAITAOF",
      "PUB_SUB, SUBSCRIBE PSUBSCRIBE PUBLISH UNSUBSCRIBE",
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
      "SPOP | pick a member with SMEMBERS or SRANDMEMBER and SREM it",
      "XREADGROUP | read with XRANGE or XREAD",
      "BLMOVE | use LMOVE",
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
