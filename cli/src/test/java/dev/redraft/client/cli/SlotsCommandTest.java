package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.MoveSlotsRequest;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft slots move|balance} against a scripted node: what they send and print, and bad input. */
@Timeout(60)
class SlotsCommandTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() {
    node = new ScriptedServer();
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aMoveSendsTheRangesAndPrintsTheMove() {
    CliRunner.Result result = cli.run("slots", "move", "0-99, 200", "1");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(MoveSlotsRequest.newBuilder()
        .addSlots(SlotRange.newBuilder().setFirst(0).setLast(99))
        .addSlots(SlotRange.newBuilder().setFirst(200).setLast(200)).setTargetGroup(1).build());
    assertThat(result.out()).isEqualTo("MOVE  SLOTS  FROM GROUP  TO GROUP  MAP VERSION\n41    101    0           1         3\n");

    CliRunner.Result json = cli.run("slots", "move", "5", "2", "-o", "json");
    JsonObject object = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(object.get("slot_count").getAsInt()).isEqualTo(1);
    assertThat(object.get("target_group").getAsInt()).isEqualTo(2);
  }

  @Test
  void balanceMovesAnAddedGroupsShareToItAndADryRunMovesNothing() {
    node.clusterSlots(ClusterSlotsResponse.newBuilder()
        .addGroups(GroupSlots.newBuilder().setGroup(0).addSlots(SlotRange.newBuilder().setFirst(0).setLast(8191)))
        .addGroups(GroupSlots.newBuilder().setGroup(1).addSlots(SlotRange.newBuilder().setFirst(8192).setLast(16383)))
        .addGroups(GroupSlots.newBuilder().setGroup(2)).build());

    CliRunner.Result dryRun = cli.run("slots", "balance", "--dry-run", "--max-slots-per-move", "4096");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).isEqualTo("""
        would move 5461 slots in 2 moves:
        SLOTS        COUNT  FROM GROUP  TO GROUP
        5462-8191    2730   0           2
        13653-16383  2731   1           2
        """);
    assertThat(node.adminRequests).isEmpty();

    CliRunner.Result result = cli.run("slots", "balance", "--max-slots-per-move", "4096");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(
        MoveSlotsRequest.newBuilder().addSlots(SlotRange.newBuilder().setFirst(5462).setLast(8191)).setTargetGroup(2)
            .build(),
        MoveSlotsRequest.newBuilder().addSlots(SlotRange.newBuilder().setFirst(13653).setLast(16383)).setTargetGroup(2)
            .build());
    assertThat(result.out()).contains("moved 2730 slots (5462-8191) from group 0 to group 2: move 41, map version 3\n",
        "moved 2731 slots (13653-16383) from group 1 to group 2");

    node.adminRequests.clear();
    CliRunner.Result json = cli.run("slots", "balance", "--dry-run", "-o", "json");
    JsonObject plan = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(plan.get("dry_run").getAsBoolean()).isTrue();
    assertThat(plan.getAsJsonArray("moves")).hasSize(6);
    assertThat(plan.getAsJsonArray("moves").get(0).getAsJsonObject().get("slots").getAsString()).isEqualTo("7168-8191");
    assertThat(node.adminRequests).isEmpty();
    assertThat(cli.run("slots", "balance", "--max-slots-per-move", "0").exitCode()).isEqualTo(2);
  }

  @Test
  void badSlotsAreAUsageErrorAndSendNothing() {
    for (String slots : new String[] {"", "a", "5-", "9-3", "0-16384", "1-2-3", "-1"}) {
      CliRunner.Result result = cli.run("slots", "move", slots, "1");
      assertThat(result.exitCode()).as("'%s': %s", slots, result.err()).isEqualTo(2);
      assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
    }
    assertThat(cli.run("slots", "move", "1", "-1").exitCode()).isEqualTo(2);
    assertThat(cli.run("slots").exitCode()).isEqualTo(2);
    assertThat(node.adminRequests).isEmpty();
  }
}
