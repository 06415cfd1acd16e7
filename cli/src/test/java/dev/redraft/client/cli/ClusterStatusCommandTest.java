package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ClusterStatusCommandTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() {
    node = new ScriptedServer().clusterStatus(ClusterStatusResponse.newBuilder()
        .addMembers(MemberStatus.newBuilder().setNodeId("n1").setApiAddress("127.0.0.1:7001")
            .setRaftAddress("127.0.0.1:8001").setRole("LEADER").setTerm(3).setCommitIndex(43)
            .setAppliedIndex(42).setRedisAddress("127.0.0.1:6001").setRedisHealthy(true).setReady(true)
            .setReachable(true).setVoter(true).setSnapshotIndex(30))
        .addMembers(MemberStatus.newBuilder().setNodeId("n2").setApiAddress("127.0.0.1:7002")
            .setRole("FOLLOWER").setTerm(3).setAppliedIndex(40).setRedisHealthy(false).setReady(false)
            .setReachable(true).setDetail("redis is down").setVoter(true).setLag(3))
        .addMembers(MemberStatus.newBuilder().setNodeId("n3").setApiAddress("127.0.0.1:7003")
            .setReachable(false).setDetail("connection refused"))
        .build());
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void printsATableByDefault() {
    CliRunner.Result result = cli.run("cluster", "status");

    // A member unreachable or not ready: the table, and exit 1 with the names on stderr.
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("n3 (unreachable)");
    assertThat(result.out().split("\n")).containsExactly(
        "NODE  API             ROLE         TERM  APPLIED  REDIS  READY  LAG  SNAPSHOT  VOTER",
        "n1    127.0.0.1:7001  LEADER       3     42       ok     yes    0    30        yes",
        "n2    127.0.0.1:7002  FOLLOWER     3     40       down   no     3    0         yes",
        "n3    127.0.0.1:7003  UNREACHABLE  -     -        -      no     -    -         no",
        "n2: redis is down",
        "n3: connection refused");
    assertThat(node.adminCalls).containsExactly("ClusterStatus");
    assertThat(cli.run("cluster", "status", "-o", "table").out()).isEqualTo(result.out());
  }

  @Test
  void printsJsonWithSnakeCaseFields() {
    CliRunner.Result result = cli.run("cluster", "status", "-o", "json");

    // A member unreachable or not ready: the table, and exit 1 with the names on stderr.
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).contains("n3 (unreachable)");
    JsonArray members = JsonParser.parseString(result.out()).getAsJsonArray();
    assertThat(members).hasSize(3);
    JsonObject leader = members.get(0).getAsJsonObject();
    assertThat(leader.keySet()).containsExactly("node_id", "raft_address", "api_address", "role", "term",
        "commit_index", "applied_index", "redis_address", "redis_healthy", "ready", "detail", "reachable", "voter",
        "lag", "snapshot_index", "longest_snapshot_pause_ms", "last_verification");
    assertThat(leader.get("node_id").getAsString()).isEqualTo("n1");
    assertThat(leader.get("applied_index").getAsLong()).isEqualTo(42);
    assertThat(leader.get("redis_healthy").getAsBoolean()).isTrue();
    assertThat(leader.get("voter").getAsBoolean()).isTrue();
    assertThat(leader.get("snapshot_index").getAsLong()).isEqualTo(30);
    assertThat(members.get(1).getAsJsonObject().get("lag").getAsLong()).isEqualTo(3);
    JsonObject down = members.get(2).getAsJsonObject();
    assertThat(down.get("reachable").getAsBoolean()).isFalse();
    assertThat(down.get("detail").getAsString()).isEqualTo("connection refused");
  }

  @Test
  void clusterWithoutSubcommandIsAUsageError() {
    CliRunner.Result result = cli.run("cluster");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("redraft cluster status");
  }

  @Test
  void everyMemberReadyIsExitCode0AndADetailIsOneLine() {
    node.clusterStatus(ClusterStatusResponse.newBuilder()
        .addMembers(MemberStatus.newBuilder().setNodeId("n1").setApiAddress("127.0.0.1:7001").setRole("LEADER")
            .setRedisHealthy(true).setReady(true).setReachable(true).setVoter(true)
            .setDetail("first line\n\tat some.Stack.trace(Trace.java:1)\nCaused by: more"))
        .build());
    CliRunner.Result result = cli.run("cluster", "status");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).contains("n1: first line").doesNotContain("\tat ").doesNotContain("Caused by");
  }
}
