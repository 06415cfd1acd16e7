package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.api.v1.MoveSlotsRequest;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft slots move SLOTS GROUP} against a scripted node: what it sends and prints, and bad input. */
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
