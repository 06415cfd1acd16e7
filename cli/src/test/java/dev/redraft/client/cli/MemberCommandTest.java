package dev.redraft.client.cli;

import static dev.redraft.client.testing.ScriptedServer.fail;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.client.testing.ScriptedServer;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft member list|add|remove|promote} against a scripted node. */
@Timeout(60)
class MemberCommandTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() {
    node = new ScriptedServer().voters("n1", "n2", "n3").clusterStatus(ClusterStatusResponse.newBuilder()
        .addMembers(MemberStatus.newBuilder().setNodeId("n1").setRaftAddress("127.0.0.1:8001")
            .setApiAddress("127.0.0.1:7001").setVoter(true).setRole("LEADER").setTerm(2).setCommitIndex(120)
            .setAppliedIndex(120).setSnapshotIndex(100).setRedisHealthy(true).setReady(true).setReachable(true))
        .addMembers(MemberStatus.newBuilder().setNodeId("n4").setRaftAddress("127.0.0.1:8004")
            .setApiAddress("127.0.0.1:7004").setVoter(false).setRole("LISTENER").setTerm(2).setAppliedIndex(80)
            .setLag(40).setRedisHealthy(true).setReady(false).setReachable(true)
            .setDetail("catching up: applied 80 of 120"))
        .addMembers(MemberStatus.newBuilder().setNodeId("n3").setRaftAddress("127.0.0.1:8003")
            .setApiAddress("127.0.0.1:7003").setVoter(true).setReachable(false).setDetail("connection refused"))
        .build());
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void listPrintsATable() {
    CliRunner.Result result = cli.run("member", "list");

    // A member unreachable or not ready: the table, and exit 1 with the names on stderr.
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("n3 (unreachable)");
    assertThat(result.out().split("\n")).containsExactly(
        "NODE  RAFT            API             MEMBER   ROLE         TERM  APPLIED  LAG  SNAPSHOT  READY",
        "n1    127.0.0.1:8001  127.0.0.1:7001  voter    LEADER       2     120      0    100       yes",
        "n4    127.0.0.1:8004  127.0.0.1:7004  learner  LISTENER     2     80       40   0         no",
        "n3    127.0.0.1:8003  127.0.0.1:7003  voter    UNREACHABLE  -     -        -    -         no",
        "n4: catching up: applied 80 of 120",
        "n3: connection refused");
    assertThat(node.adminCalls).containsExactly("ClusterStatus");
    assertThat(cli.run("member", "list", "-o", "table").out()).isEqualTo(result.out());
  }

  @Test
  void listPrintsJson() {
    CliRunner.Result result = cli.run("member", "list", "-o", "json");

    // A member unreachable or not ready: the table, and exit 1 with the names on stderr.
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("n3 (unreachable)");
    JsonArray members = JsonParser.parseString(result.out()).getAsJsonArray();
    assertThat(members).hasSize(3);
    JsonObject learner = members.get(1).getAsJsonObject();
    assertThat(learner.get("node_id").getAsString()).isEqualTo("n4");
    assertThat(learner.get("raft_address").getAsString()).isEqualTo("127.0.0.1:8004");
    assertThat(learner.get("voter").getAsBoolean()).isFalse();
    assertThat(learner.get("lag").getAsLong()).isEqualTo(40);
    assertThat(learner.get("snapshot_index").getAsLong()).isZero();
    assertThat(members.get(0).getAsJsonObject().get("snapshot_index").getAsLong()).isEqualTo(100);
  }

  @Test
  void addSendsTheNodeAndPrintsTheNewMembership() {
    CliRunner.Result result = cli.run("member", "add", "n4", "127.0.0.1:8004");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.adminRequests).containsExactly(AddNodeRequest.newBuilder().setNodeId("n4")
        .setRaftAddress("127.0.0.1:8004").setLearner(false).build());
    assertThat(result.out().split("\n")).containsExactly(
        "NODE  RAFT            MEMBER",
        "n1    127.0.0.1:8001  voter",
        "n2    127.0.0.1:8002  voter",
        "n3    127.0.0.1:8003  voter",
        "n4    127.0.0.1:8004  voter");
    // A change may take long (the new node catches up): its deadline is 2 minutes unless --timeout says otherwise.
    assertThat(node.adminDeadlines.get(0).timeRemaining(TimeUnit.SECONDS)).isBetween(60L, 120L);
  }

  @Test
  void addAsLearnerPrintsJson() {
    CliRunner.Result result = cli.run("member", "add", "n5", "127.0.0.1:8005", "--learner", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(((AddNodeRequest) node.adminRequests.get(0)).getLearner()).isTrue();
    JsonArray members = JsonParser.parseString(result.out()).getAsJsonArray();
    assertThat(members).hasSize(4);
    JsonObject added = members.get(3).getAsJsonObject();
    assertThat(added.keySet()).containsExactly("node_id", "raft_address", "voter");
    assertThat(added.get("node_id").getAsString()).isEqualTo("n5");
    assertThat(added.get("voter").getAsBoolean()).isFalse();
  }

  @Test
  void removeAndPromoteSendTheId() {
    cli.run("member", "add", "n4", "127.0.0.1:8004", "--learner");

    CliRunner.Result promoted = cli.run("member", "promote", "n4");
    CliRunner.Result removed = cli.run("member", "remove", "n2", "-o", "json");

    assertThat(promoted.exitCode()).as(promoted.err()).isZero();
    assertThat(promoted.out()).contains("n4    127.0.0.1:8004  voter");
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(node.adminRequests.subList(1, 3)).containsExactly(
        PromoteNodeRequest.newBuilder().setNodeId("n4").build(),
        RemoveNodeRequest.newBuilder().setNodeId("n2").build());
    JsonArray members = JsonParser.parseString(removed.out()).getAsJsonArray();
    assertThat(members).extracting(m -> m.getAsJsonObject().get("node_id").getAsString())
        .containsExactly("n1", "n3", "n4");
  }

  @Test
  void aRefusalPrintsTheServersReasonAndExitsWithOne() {
    node.onAdminChange((request, observer) -> fail(observer, Status.FAILED_PRECONDITION
        .withDescription("refused: removing n2 would leave 1 of 3 voters reachable, not a majority")));

    CliRunner.Result result = cli.run("member", "remove", "n2");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().trim())
        .isEqualTo("(error) refused: removing n2 would leave 1 of 3 voters reachable, not a majority");
    assertThat(node.adminCalls).containsExactly("RemoveNode");
  }

  @Test
  void anInvalidArgumentFromTheServerIsAUsageError() {
    node.onAdminChange((request, observer) -> fail(observer, Status.INVALID_ARGUMENT
        .withDescription("127.0.0.1:8004 is the raft address of n1")));

    CliRunner.Result result = cli.run("member", "add", "n4", "127.0.0.1:8004");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("(error) 127.0.0.1:8004 is the raft address of n1");
    assertThat(node.adminCalls).containsExactly("AddNode");
  }

  @Test
  void unavailableIsRetriedThenExitsWithThree() {
    node.onAdminChange((request, observer) -> fail(observer, Status.UNAVAILABLE.withDescription("no leader")));

    CliRunner.Result result = cli.run("--timeout", "2s", "member", "promote", "n4");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(result.err()).contains("no answer from the cluster").contains("no leader");
    assertThat(node.adminCalls.size()).isGreaterThan(1);
  }

  @Test
  void badArgumentsAreUsageErrorsAndSendNothing() {
    assertThat(cli.run("member", "add", "n4").exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRunner.Result apiLike = cli.run("member", "add", "n4", "127.0.0.1");
    assertThat(apiLike.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(apiLike.err()).contains("is not host:port");
    CliRunner.Result badId = cli.run("member", "remove", "n 4");
    assertThat(badId.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badId.err()).contains("node id 'n 4' is not valid");
    assertThat(cli.run("member", "promote").exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRunner.Result bare = cli.run("member");
    assertThat(bare.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.err()).contains("redraft member list");
    assertThat(node.adminCalls).isEmpty();
  }
}
