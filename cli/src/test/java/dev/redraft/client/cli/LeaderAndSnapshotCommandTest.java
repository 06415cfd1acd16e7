package dev.redraft.client.cli;

import static dev.redraft.client.testing.ScriptedServer.fail;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.client.testing.ScriptedServer;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft leader transfer [ID]} and {@code redraft snapshot [--node ID] [--group G]} against a scripted node. */
@Timeout(60)
class LeaderAndSnapshotCommandTest {
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
  void transferToANamedNodePrintsTheNewLeader() {
    CliRunner.Result result = cli.run("leader", "transfer", "n3");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(TransferLeadershipRequest.newBuilder().setNodeId("n3").build());
    assertThat(result.out()).isEqualTo("LEADER\nn3\n");
  }

  @Test
  void transferWithoutIdAsksTheLeaderToStepDown() {
    CliRunner.Result result = cli.run("leader", "transfer", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(TransferLeadershipRequest.getDefaultInstance());
    JsonObject json = JsonParser.parseString(result.out()).getAsJsonObject();
    assertThat(json.keySet()).containsExactly("leader_id");
    assertThat(json.get("leader_id").getAsString()).isEqualTo("n2");
  }

  @Test
  void transferRefusedExitsWithOne() {
    node.onAdminChange((request, observer) ->
        fail(observer, Status.FAILED_PRECONDITION.withDescription("n4 is a learner, not a voter")));

    CliRunner.Result result = cli.run("leader", "transfer", "n4");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("(error) n4 is a learner, not a voter");
    assertThat(cli.run("leader").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void transferToAnUnreachableOrUnreadyNodeFailsAtOnceAndChangesNothing() {
    node.clusterStatus(ClusterStatusResponse.newBuilder()
        .addMembers(MemberStatus.newBuilder().setNodeId("n1").setReachable(true).setReady(true).setVoter(true))
        .addMembers(MemberStatus.newBuilder().setNodeId("n2").setReachable(true).setReady(false).setVoter(true)
            .setDetail("catching up"))
        .addMembers(MemberStatus.newBuilder().setNodeId("n3").setReachable(false).setVoter(true)
            .setDetail("not reachable at 127.0.0.1:7003: Connection refused"))
        .build());

    long start = System.nanoTime();
    CliRunner.Result dead = cli.run("leader", "transfer", "n3");
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(dead.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(dead.err()).isEqualTo("error: node n3 is unreachable (not reachable at 127.0.0.1:7003: Connection "
        + "refused), so it cannot take leadership; nothing changed. Start it or wait until it is ready (redraft "
        + "cluster status), or transfer to another voter\n");
    CliRunner.Result unready = cli.run("leader", "transfer", "n2");
    assertThat(unready.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(unready.err()).contains("node n2 is not ready (catching up)");
    assertThat(node.adminRequests).isEmpty();

    assertThat(cli.run("leader", "transfer", "n1").exitCode()).isZero();
    assertThat(node.adminRequests).containsExactly(TransferLeadershipRequest.newBuilder().setNodeId("n1").build());
  }

  @Test
  void snapshotOnTheAnsweringNode() {
    CliRunner.Result result = cli.run("snapshot");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(TakeSnapshotRequest.getDefaultInstance());
    assertThat(result.out().split("\n")).containsExactly("NODE  SNAPSHOT", "n1    42");
    assertThat(node.adminDeadlines.get(0).timeRemaining(TimeUnit.SECONDS)).isBetween(60L, 120L);
  }

  @Test
  void snapshotOnANamedNodePrintsJson() {
    CliRunner.Result result = cli.run("snapshot", "--node", "n2", "-o", "json", "--timeout", "5s");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(TakeSnapshotRequest.newBuilder().setNodeId("n2").build());
    JsonObject json = JsonParser.parseString(result.out()).getAsJsonObject();
    assertThat(json.keySet()).containsExactly("node_id", "snapshot_index");
    assertThat(json.get("node_id").getAsString()).isEqualTo("n2");
    assertThat(json.get("snapshot_index").getAsLong()).isEqualTo(42);
    assertThat(node.adminDeadlines.get(0).timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1L, 5_000L);
  }

  @Test
  void snapshotOfAGroupNamesIt() {
    assertThat(cli.run("snapshot", "--node", "n2", "--group", "3").exitCode()).isZero();
    assertThat(node.adminRequests).containsExactly(TakeSnapshotRequest.newBuilder().setNodeId("n2").setGroup(3).build());
    CliRunner.Result negative = cli.run("snapshot", "--group", "-1");
    assertThat(negative.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(negative.err()).contains("--group must be a group number");
    assertThat(node.adminRequests).hasSize(1);
  }

  @Test
  void snapshotOfAnUnknownNodeIsRefused() {
    node.onAdminChange((request, observer) ->
        fail(observer, Status.FAILED_PRECONDITION.withDescription("n9 is not a member")));

    CliRunner.Result result = cli.run("snapshot", "--node", "n9");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("(error) n9 is not a member");
  }
}
