package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Ratis server tells its group's listener when it refuses a vote, over its Raft port, to a
 * candidate whose log is behind its own, and only then: the election timer's hint that the leader is
 * gone for another node, which cannot win ({@link ElectionTimer#behindCandidateRefused}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BehindCandidateVotesTest {
  @TempDir
  Path dir;

  private RaftHost host;
  private ManagedChannel channel;

  @AfterEach
  void close() throws IOException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (host != null) {
      host.close();
    }
  }

  @Test
  void aRefusedBehindCandidateIsReportedToItsGroupOnly() throws Exception {
    int port = FreePorts.next();
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()),
        List.of(RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:" + port).build()));
    host = RaftHost.start(ConfigLoader.load(new String[] {
        "--node-id=n1", "--raft-address=127.0.0.1:" + port, "--api-address=127.0.0.1:" + FreePorts.next(),
        "--peers=n1=127.0.0.1:" + port, "--data-dir=" + dir.resolve("n1"),
        "--election-timeout-min-ms=300", "--election-timeout-max-ms=600"}, Map.of()),
        null, List.of(new RaftHost.Hosted(group, new BaseStateMachine())));
    RaftServer.Division division = host.server().getDivision(group.getGroupId());
    // Alone in its group, n1 leads and writes its first entry: a log that is ahead of an empty one.
    await().atMost(Duration.ofSeconds(20)).until(() -> division.getInfo().isLeader()
        && division.getRaftLog().getLastEntryTermIndex() != null);
    List<String> refused = new CopyOnWriteArrayList<>();
    AtomicInteger otherGroupRefusals = new AtomicInteger();
    host.behindCandidateVotes().listen(group.getGroupId(), refused::add);
    host.behindCandidateVotes().listen(RaftGroupId.valueOf(UUID.randomUUID()), candidate -> otherGroupRefusals.incrementAndGet());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    var raftPort = RaftServerProtocolServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();

    RequestVoteReplyProto behind = raftPort.requestVote(preVote(group.getGroupId(), TermIndexProto.getDefaultInstance()));
    assertThat(behind.getServerReply().getSuccess()).isFalse();
    assertThat(refused).as("a candidate with an empty log, refused").containsExactly("n2");

    TermIndexProto ahead = TermIndexProto.newBuilder().setTerm(last.getTerm() + 1).setIndex(last.getIndex()).build();
    RequestVoteReplyProto notBehind = raftPort.requestVote(preVote(group.getGroupId(), ahead));
    assertThat(notBehind.getServerReply().getSuccess()).as("refused: n1 leads and n2 is not a member").isFalse();
    assertThat(refused).as("refused, but its log is not behind n1's").hasSize(1);

    TermIndexProto same = TermIndexProto.newBuilder().setTerm(last.getTerm()).setIndex(last.getIndex()).build();
    raftPort.requestVote(preVote(group.getGroupId(), same));
    assertThat(refused).as("a log as long as n1's is not behind").hasSize(1);
    assertThat(otherGroupRefusals).hasValue(0);
  }

  /** n2 asks n1 for a pre-vote, with {@code lastEntry} as its log's last entry. */
  private static RequestVoteRequestProto preVote(RaftGroupId groupId, TermIndexProto lastEntry) {
    return RequestVoteRequestProto.newBuilder()
        .setServerRequest(RaftRpcRequestProto.newBuilder()
            .setRequestorId(RaftPeerId.valueOf("n2").toByteString())
            .setReplyId(RaftPeerId.valueOf("n1").toByteString())
            .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(groupId.toByteString()))
            .setCallId(1))
        .setCandidateTerm(1)
        .setCandidateLastEntry(lastEntry)
        .setPreVote(true)
        .build();
  }
}
