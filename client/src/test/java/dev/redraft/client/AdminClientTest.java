package dev.redraft.client;

import static dev.redraft.client.testing.ScriptedServer.fail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.client.testing.ScriptedServer;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin calls: which failures are retried, which are refusals, and that every call has a deadline. */
@Timeout(30)
class AdminClientTest {
  private static final RetryPolicy FAST = RetryPolicy.defaults()
      .withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
      .withAttemptTimeout(Duration.ofMillis(500));

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  private ScriptedServer server() {
    ScriptedServer server = new ScriptedServer();
    toClose.add(server);
    return server;
  }

  private AdminClient admin(Duration timeout, ScriptedServer... servers) {
    List<String> endpoints = new ArrayList<>();
    for (ScriptedServer server : servers) {
      endpoints.add(server.endpoint());
    }
    RedraftClient client = RedraftClient.builder().endpoints(endpoints).retryPolicy(FAST)
        .requestTimeout(timeout).channelFactory(ScriptedServer.channels()).build();
    toClose.add(0, client);
    return client.admin();
  }

  @Test
  void addNodeSendsTheRequestWithADeadlineAndReturnsTheMembership() {
    ScriptedServer node = server().voters("n1", "n2", "n3");

    MembershipResponse response = admin(Duration.ofSeconds(20), node).addNode("n4", "127.0.0.1:9004", true);

    assertThat(node.adminRequests).containsExactly(AddNodeRequest.newBuilder().setNodeId("n4")
        .setRaftAddress("127.0.0.1:9004").setLearner(true).build());
    assertThat(response.getMembersList()).extracting(Member::getNodeId).containsExactly("n1", "n2", "n3", "n4");
    assertThat(response.getMembers(3).getVoter()).isFalse();
    // A change may take the whole request timeout in one attempt (catch-up), not just the policy's 500 ms.
    Deadline deadline = node.adminDeadlines.get(0);
    assertThat(deadline).isNotNull();
    assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isBetween(10_000L, 20_000L);
  }

  @Test
  void retriesUnavailableOnAnotherEndpoint() {
    ScriptedServer down = server().onAdminChange((request, observer) ->
        fail(observer, Status.UNAVAILABLE.withDescription("no leader yet")));
    ScriptedServer up = server().voters("n1", "n2", "n3");

    MembershipResponse response = admin(Duration.ofSeconds(10), down, up).removeNode("n3");

    assertThat(response.getMembersList()).extracting(Member::getNodeId).containsExactly("n1", "n2");
    assertThat(down.adminCalls).containsExactly("RemoveNode");
    assertThat(up.adminCalls).containsExactly("RemoveNode");
  }

  @Test
  void unavailableRetriesAreBounded() {
    ScriptedServer down = server().onAdminChange((request, observer) ->
        fail(observer, Status.UNAVAILABLE.withDescription("no leader yet")));

    assertThatThrownBy(() -> admin(Duration.ofSeconds(10), down).promoteNode("n4"))
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("10 attempts")
        .hasMessageContaining("no leader yet");
    assertThat(down.adminCalls).hasSize(FAST.maxAttempts());
  }

  @Test
  void refusalsAreNotRetriedAndCarryTheServersReason() {
    AtomicInteger calls = new AtomicInteger();
    ScriptedServer node = server().onAdminChange((request, observer) -> {
      calls.incrementAndGet();
      fail(observer, Status.FAILED_PRECONDITION.withDescription("removing n2 would leave 1 of 3 voters reachable"));
    });
    AdminClient admin = admin(Duration.ofSeconds(10), node);

    assertThatThrownBy(() -> admin.removeNode("n2"))
        .isInstanceOfSatisfying(AdminRefusedException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.badInput()).isFalse();
        })
        .hasMessage("removing n2 would leave 1 of 3 voters reachable");
    assertThat(calls).hasValue(1);

    node.onAdminChange((request, observer) -> {
      calls.incrementAndGet();
      fail(observer, Status.INVALID_ARGUMENT.withDescription("raft address 'x' is not host:port"));
    });
    assertThatThrownBy(() -> admin.addNode("n4", "x:1", false))
        .isInstanceOfSatisfying(AdminRefusedException.class, e -> assertThat(e.badInput()).isTrue());
    assertThat(calls).hasValue(2);
  }

  @Test
  void aChangeWithoutAnswerInTimeHasAnUnknownOutcomeAndIsNotRepeated() {
    ScriptedServer slow = server().onAdminChange((request, observer) -> { /* never answers */ });

    assertThatThrownBy(() -> admin(Duration.ofMillis(300), slow).addNode("n4", "127.0.0.1:9004", false))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("member list");
    assertThat(slow.adminCalls).containsExactly("AddNode");
  }

  @Test
  void statusCallsHaveADeadlineToo() {
    ScriptedServer node = server();
    admin(Duration.ofSeconds(10), node).clusterStatus();
    assertThat(node.adminDeadlines).hasSize(1).doesNotContainNull();
  }
}
