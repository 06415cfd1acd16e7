package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A leader's append streams breaking off, as real Ratis servers see them on their Raft port. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaderStreamLossTest {
  @TempDir
  Path dir;

  private final List<RaftHost> hosts = new ArrayList<>();

  /** What a group's timer would be told. */
  private static final class Told implements LeaderStreamLoss.Listener {
    final List<String> ended = new CopyOnWriteArrayList<>();
    final AtomicInteger appends = new AtomicInteger();

    @Override
    public void streamEnded(String sender) {
      ended.add(sender);
    }

    @Override
    public void appendReceived() {
      appends.incrementAndGet();
    }
  }

  @AfterEach
  void close() throws IOException {
    for (RaftHost h : hosts) {
      h.close();
    }
  }

  /**
   * Three nodes, a leader elected and sending: its followers hear of no broken stream while it lives, and
   * each hears the leader's id as soon as its server goes away (its connections close).
   */
  @Test
  void eachFollowerIsToldOfItsLeaderGoingAwayAndOfNothingWhileItLives() throws Exception {
    LoopbackRaftGroup peers = new LoopbackRaftGroup("n1", "n2", "n3");
    RaftGroup group = peers.group();
    for (String id : List.of("n1", "n2", "n3")) {
      // Ratis' own timer only (no RaftNode here), slow enough that the leader stays while the test looks.
      hosts.add(RaftHost.start(peers.config(id, dir, 2000, 4000), null,
          List.of(new RaftHost.Hosted(group, new BaseStateMachine()))));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> hosts.stream().filter(h -> division(h, group).getInfo().isLeader())
        .count() == 1 && hosts.stream().allMatch(h -> division(h, group).getInfo().getLeaderId() != null));
    RaftHost leader = hosts.stream().filter(h -> division(h, group).getInfo().isLeader()).findFirst().orElseThrow();
    String leaderId = division(leader, group).getId().toString();
    List<RaftHost> followers = hosts.stream().filter(h -> h != leader).toList();
    List<Told> told = new ArrayList<>();
    for (RaftHost follower : followers) {
      Told listener = new Told();
      told.add(listener);
      follower.leaderStreamLoss().listen(group.getGroupId(), listener);
    }

    // Heartbeats for a while: a live leader's streams stay open, and its appends are seen.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(told).allSatisfy(t -> assertThat(t.appends.get()).isGreaterThan(3)));
    assertThat(told).allSatisfy(t -> assertThat(t.ended).isEmpty());

    leader.close();
    hosts.remove(leader);
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(told).allSatisfy(t -> assertThat(t.ended).contains(leaderId)));
  }

  /**
   * A stream cut off under the follower (the leader's process killed: its connections close without a word)
   * is told too, with the sender of its first request; a vote call's end is not.
   */
  @Test
  void aStreamCancelledUnderTheFollowerIsToldWithItsSender() {
    LeaderStreamLoss loss = new LeaderStreamLoss();
    RaftGroupId groupId = RaftGroupId.randomId();
    Told told = new Told();
    loss.listen(groupId, told);
    AppendEntriesRequestProto append = AppendEntriesRequestProto.newBuilder()
        .setServerRequest(RaftRpcRequestProto.newBuilder().setRequestorId(ByteString.copyFromUtf8("n2"))
            .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(groupId.toByteString())))
        .build();

    ServerCall.Listener<Object> stream = loss.interceptCall(
        new StubServerCall(RaftServerProtocolServiceGrpc.getAppendEntriesMethod().getFullMethodName()),
        new Metadata(), (call, headers) -> new ServerCall.Listener<Object>() {});
    stream.onMessage(append);
    stream.onMessage(append);
    assertThat(told.appends.get()).isEqualTo(2);
    assertThat(told.ended).isEmpty();
    stream.onCancel();
    assertThat(told.ended).containsExactly("n2");

    ServerCall.Listener<Object> vote = loss.interceptCall(
        new StubServerCall(RaftServerProtocolServiceGrpc.getRequestVoteMethod().getFullMethodName()),
        new Metadata(), (call, headers) -> new ServerCall.Listener<Object>() {});
    vote.onHalfClose();
    vote.onCancel();
    assertThat(told.ended).as("only append streams").containsExactly("n2");
  }

  private static RaftServer.Division division(RaftHost host, RaftGroup group) {
    try {
      return host.server().getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
