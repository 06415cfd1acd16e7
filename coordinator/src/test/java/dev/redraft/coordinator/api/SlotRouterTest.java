package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.WatchedKey;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.shard.SlotMap;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which group a request goes to in a sharded cluster, and which requests are refused for spanning groups. */
class SlotRouterTest {
  private final SlotMap map = SlotMap.evenSplit(4);
  private final SlotRouter router = new SlotRouter(() -> map);

  @Test
  void aRequestGoesToTheGroupOfItsKeysWatchesIncluded() {
    String key = keyIn(2, "a");
    assertThat(router.groupOf(write(command("SET", key, "v")))).isEqualTo(2);
    assertThat(router.groupOf(write(command("MSET", "{t}x", "1", "{t}y", "2"))))
        .isEqualTo(map.groupOfKey("{t}x".getBytes()));
    assertThat(router.groupOf(read(command("GET", key), ReadConsistency.LINEARIZABLE))).isEqualTo(2);
    WriteRequest watched = write(command("SET", key, "v")).toBuilder()
        .addWatches(WatchedKey.newBuilder().setKey(ByteString.copyFromUtf8(keyIn(1, "w")))).build();
    assertThat(router.groupOf(watched)).as("one command watching another group's key: a transaction")
        .isEqualTo(SlotRouter.SEVERAL_GROUPS);
  }

  @Test
  void aBatchOverSeveralGroupsIsATransactionPlannedPerCommand() {
    WriteRequest batch = write(command("SET", keyIn(3, "a"), "1"), command("SET", keyIn(0, "b"), "2"),
        command("INCR", keyIn(3, "c"))).toBuilder()
        .addWatches(WatchedKey.newBuilder().setKey(ByteString.copyFromUtf8(keyIn(1, "w")))).build();
    assertThat(router.groupOf(batch)).isEqualTo(SlotRouter.SEVERAL_GROUPS);
    SlotRouter.TxPlan plan = router.planOf(batch);
    assertThat(plan.commandGroups()).containsExactly(3, 0, 3);
    assertThat(plan.watchGroups()).containsExactly(1);
    assertThat(plan.home()).as("the lowest group of its commands holds the decision").isZero();
    assertThat(plan.groups()).containsExactly(0, 1, 3);
    assertThat(router.groupOf(read(command("WATCH", keyIn(0, "w"), keyIn(2, "v")), ReadConsistency.LINEARIZABLE)))
        .as("a WATCH read of keys in several groups is read per group").isEqualTo(SlotRouter.SEVERAL_GROUPS);
    assertThatThrownBy(() -> router.groupOf(read(command("MGET", keyIn(0, "w"), keyIn(2, "v")),
        ReadConsistency.LINEARIZABLE))).as("any other read across groups").hasMessageStartingWith("CROSSSLOT");
  }

  @Test
  void keysOfSeveralGroupsInOneCommandAndKeylessCommandsAreRefused() {
    assertThatThrownBy(() -> router.groupOf(write(command("MSET", keyIn(0, "a"), "1", keyIn(3, "b"), "2"))))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("CROSSSLOT");
    assertThatThrownBy(() -> router.groupOf(write(command("SET", keyIn(3, "c"), "1"),
        command("MSET", keyIn(0, "a"), "1", keyIn(3, "b"), "2"))))
        .as("in a batch across groups too").isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("CROSSSLOT");
    assertThatThrownBy(() -> router.groupOf(write(command("FLUSHDB"))))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("FLUSHDB has no key");
    assertThatThrownBy(() -> router.groupOf(write(command("SET", keyIn(1, "a"), "1"), command("DBSIZE"))))
        .as("a keyless command inside a batch").hasMessageContaining("DBSIZE has no key");
    assertThatThrownBy(() -> router.groupOf(read(command("GET", keyIn(1, "a")), ReadConsistency.AT_INDEX)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("AT_INDEX");
  }

  @Test
  void malformedOrUnknownCommandsGoWhereTheirValidationReportsThem() {
    assertThat(router.groupOf(write(command("GET")))).as("wrong arity: validated in group 0").isZero();
    assertThat(router.groupOf(write(command("NOSUCHCOMMAND", "x")))).isZero();
    assertThat(router.groupOf(write(command("SET", keyIn(3, "a"), "1"), command("NOSUCHCOMMAND")))).isEqualTo(3);
  }

  @Test
  void oneGroupTakesEverythingAsBefore() {
    SlotRouter single = new SlotRouter(() -> SlotMap.evenSplit(1));
    assertThat(single.groupOf(write(command("FLUSHDB")))).isZero();
    assertThat(single.groupOf(write(command("SET", "a", "1"), command("SET", "b", "2")))).isZero();
    assertThat(single.groupOf(read(command("GET", "a"), ReadConsistency.AT_INDEX))).isZero();
  }

  private String keyIn(int group, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (map.groupOfKey(key.getBytes()) == group) {
        return key;
      }
    }
  }

  private static Command command(String name, String... args) {
    return Command.newBuilder().setName(name)
        .addAllArgs(Arrays.stream(args).map(ByteString::copyFromUtf8).toList()).build();
  }

  private static WriteRequest write(Command... commands) {
    return WriteRequest.newBuilder().setClientId("c@1").setSequence(1).addAllCommands(Arrays.asList(commands)).build();
  }

  private static ReadRequest read(Command command, ReadConsistency consistency) {
    return ReadRequest.newBuilder().setCommand(command).setConsistency(consistency).build();
  }
}
