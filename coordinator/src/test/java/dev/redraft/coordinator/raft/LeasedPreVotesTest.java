package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroup;
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
 * Real Ratis servers: a follower holds the pre-vote of a candidate ahead of it, which it would refuse only for
 * its leader's lease, until the lease ends, then lets Ratis decide it (granted once the leader went silent,
 * refused while it speaks); a candidate behind it is refused at once.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeasedPreVotesTest {
  /**
   * About the longest lease a vote is held for (a hold ends 0.5 s before the candidate's 3 s call times out).
   */
  private static final long LEASE_MS = 2400;

  @TempDir
  Path dir;

  private final Map<String, RaftHost> hosts = new LinkedHashMap<>();
  private ManagedChannel channel;

  @AfterEach
  void close() throws IOException {
    if (channel != null) {
      channel.shutdownNow();
    }
    for (RaftHost host : hosts.values()) {
      host.close();
    }
  }

  @Test
  void aPreVoteRefusedOnlyForTheLeasesSakeIsDecidedWhenTheLeaseEnds() throws Exception {
    LoopbackRaftGroup peers = new LoopbackRaftGroup("n1", "n2", "n3");
    RaftGroup group = peers.group();
    for (String id : List.of("n1", "n2")) { // n3 stays down: the candidate the test speaks for
      hosts.put(id, RaftHost.start(peers.config(id, dir, LEASE_MS, 2 * LEASE_MS), null,
          List.of(new RaftHost.Hosted(group, new BaseStateMachine()))));
    }
    String leader = await().atMost(Duration.ofSeconds(60)).until(() -> hosts.entrySet().stream()
        .filter(e -> division(e.getValue(), group).getInfo().isLeader()).map(Map.Entry::getKey).findFirst()
        .orElse(null), id -> id != null);
    String follower = leader.equals("n1") ? "n2" : "n1";
    RaftHost followerHost = hosts.get(follower);
    RaftServer.Division followerDivision = division(followerHost, group);
    await().atMost(Duration.ofSeconds(30)).until(() -> followerDivision.getInfo().getLeaderId() != null
        && followerDivision.getRaftLog().getLastEntryTermIndex() != null);
    String address = group.getPeer(RaftPeerId.valueOf(follower)).getAddress();
    channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
    var raftPort = RaftServerProtocolServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    // A candidate behind the follower: refused at once, not held.
    RequestVoteReplyProto behind = raftPort.requestVote(preVote(group, follower, TermIndexProto.getDefaultInstance()));
    assertThat(behind.getServerReply().getSuccess()).isFalse();
    assertThat(followerHost.leasedPreVotes().holds()).isZero();

    // The leader speaks: held until the lease ends, then refused.
    RequestVoteReplyProto whileLeaderSpeaks = raftPort.requestVote(preVote(group, follower, aheadOf(followerDivision)));
    assertThat(whileLeaderSpeaks.getServerReply().getSuccess()).as("the leader still heartbeats").isFalse();
    assertThat(followerHost.leasedPreVotes().holds()).as("held, not answered at once").isEqualTo(1);

    // Asked right after a heartbeat (the lease has ~2 s left), and the leader stops while the vote is held:
    // granted when the lease ends.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> followerDivision.getInfo()
        .getRoleInfoProto().getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() < 300);
    var asked = RaftServerProtocolServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .requestVote(preVote(group, follower, aheadOf(followerDivision)));
    hosts.remove(leader).close();
    RequestVoteReplyProto afterLeaderStopped = asked.get(30, TimeUnit.SECONDS);
    assertThat(afterLeaderStopped.getServerReply().getSuccess())
        .as("granted once the lease ended (without the hold: refused, 'still has a valid leader')").isTrue();
    assertThat(followerHost.leasedPreVotes().holds()).isEqualTo(2);
  }

  @Test
  void holdsOnlyWhileTheLeaseIsAllThatStandsInTheCandidatesWay() {
    TermIndexProto mine = TermIndexProto.newBuilder().setTerm(3).setIndex(100).build();
    TermIndexProto same = mine;
    TermIndexProto ahead = TermIndexProto.newBuilder().setTerm(3).setIndex(101).build();
    TermIndexProto behind = TermIndexProto.newBuilder().setTerm(2).setIndex(500).build();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 300, 1000, 3000, mine, ahead)).isEqualTo(700 + LeasedPreVotes.MARGIN_MS);
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 300, 1000, 3000, mine, same))
        .as("a log like this node's: both could win, and would split the vote if both campaigned").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 300, 1000, 3000, null, ahead)).as("own log unknown").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 300, 1000, 3000, mine, behind)).as("refused for its log anyway").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 1000, 1000, 3000, mine, ahead)).as("lease over").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n1", "n1", 300, 1000, 3000, mine, ahead)).as("the candidate is the leader").isZero();
    assertThat(LeasedPreVotes.holdMs(true, null, "n1", 300, 1000, 3000, mine, ahead)).as("no leader known").isZero();
    assertThat(LeasedPreVotes.holdMs(false, "n2", "n1", 300, 1000, 3000, mine, ahead)).as("not a follower").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 300, 5000, 3000, mine, ahead))
        .as("the candidate would stop waiting before the lease ends").isZero();
    assertThat(LeasedPreVotes.holdMs(true, "n2", "n1", 3000, 5000, 3000, mine, ahead))
        .as("what is left of the lease ends in time").isEqualTo(2000 + LeasedPreVotes.MARGIN_MS);
  }

  private static RaftServer.Division division(RaftHost host, RaftGroup group) {
    try {
      return host.server().getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A log one entry longer than {@code division}'s: the candidate it holds a pre-vote for is ahead of it. */
  private static TermIndexProto aheadOf(RaftServer.Division division) {
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();
    return TermIndexProto.newBuilder().setTerm(last.getTerm()).setIndex(last.getIndex() + 1).build();
  }

  /** n3 asks {@code voter} for a pre-vote, with {@code lastEntry} as its log's last entry. */
  private static RequestVoteRequestProto preVote(RaftGroup group, String voter, TermIndexProto lastEntry) {
    return RequestVoteRequestProto.newBuilder()
        .setServerRequest(RaftRpcRequestProto.newBuilder()
            .setRequestorId(RaftPeerId.valueOf("n3").toByteString())
            .setReplyId(RaftPeerId.valueOf(voter).toByteString())
            .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(group.getGroupId().toByteString()))
            .setCallId(1))
        .setCandidateTerm(lastEntry.getTerm())
        .setCandidateLastEntry(lastEntry)
        .setPreVote(true)
        .build();
  }
}
