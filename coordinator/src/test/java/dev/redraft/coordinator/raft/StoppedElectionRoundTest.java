package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.testing.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose election round cannot pass (its other peers never answer: cut off) and that is asked
 * for its vote in a newer term answers at once, not when its round ends. Ratis 3.3.0 stops the round
 * before it changes term and waits for it, and the round waits for the silent peers until its
 * timeout; in the fault suite a re-added member's doomed pre-vote held the other follower's election
 * that long (issue 12). A real Ratis server, its two peers sockets that accept and never answer.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StoppedElectionRoundTest {
  /** Long, so that a vote held by the round is told apart from one answered at once on a busy machine. */
  private static final Duration ELECTION_TIMEOUT_MIN = Duration.ofSeconds(6);
  private static final Duration ELECTION_TIMEOUT_MAX = Duration.ofSeconds(7);
  /** Ratis' vote requests to the silent peers fail after 3 s (RaftSettings): a held vote waits that long at least. */
  private static final Duration ANSWERED_AT_ONCE = Duration.ofMillis(2500);

  @TempDir
  Path dir;

  private ServerSocket silentPeer1;
  private ServerSocket silentPeer2;
  private RaftHost host;
  private ElectionTimer timer;

  @AfterEach
  void close() throws IOException {
    if (timer != null) {
      timer.close();
    }
    if (host != null) {
      host.close();
    }
    for (ServerSocket socket : new ServerSocket[] {silentPeer1, silentPeer2}) {
      if (socket != null) {
        socket.close();
      }
    }
  }

  @Test
  void aCandidateAskedForItsVoteInANewerTermAnswersWithoutWaitingForItsRound() throws Exception {
    silentPeer1 = silentSocket();
    silentPeer2 = silentSocket();
    int port = FreePorts.next();
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), List.of(
        peer("n1", port), peer("n2", silentPeer1.getLocalPort()), peer("n3", silentPeer2.getLocalPort())));
    host = RaftHost.start(config(port), null, List.of(new RaftHost.Hosted(group, new BaseStateMachine())));
    RaftServer.Division division = host.server().getDivision(group.getGroupId());
    RaftElectionStarter starter = new RaftElectionStarter("n1", () -> division);
    timer = ElectionTimer.of("n1", starter, ELECTION_TIMEOUT_MIN, ELECTION_TIMEOUT_MAX);
    timer.start();

    // n1 campaigns: its pre-vote round asks n2 and n3, which never answer, and would wait for them.
    assertThat(starter.startElection(0)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> division.getInfo().isCandidate()
        && roundWaitsForVotes(division.getMemberId().toString()));

    long term = division.getInfo().getCurrentTerm() + 1;
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();
    long started = System.nanoTime();
    RequestVoteReplyProto reply = host.server().requestVote(electionRequest(group.getGroupId(), term, last));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(reply.getServerReply().getSuccess()).as("n1 grants its vote to n2's newer term").isTrue();
    assertThat(took).as("time n1 took to answer the vote request").isLessThan(ANSWERED_AT_ONCE);
    assertThat(division.getInfo().isFollower()).isTrue();
    assertThat(division.getInfo().getCurrentTerm()).isEqualTo(term);
    assertThat(starter.stoppedRoundsEnded()).as("rounds ended by the election timer").isEqualTo(1);
  }

  /**
   * This division's election thread (Ratis names it after the member, e.g. n1@group-...-LeaderElection3; other
   * tests of the JVM may have left theirs) parked in its wait for vote replies.
   */
  private static boolean roundWaitsForVotes(String memberId) {
    return Thread.getAllStackTraces().entrySet().stream().anyMatch(thread ->
        thread.getKey().getName().startsWith(memberId + "-LeaderElection")
            && thread.getKey().getState() == Thread.State.TIMED_WAITING
            && Arrays.stream(thread.getValue()).anyMatch(frame ->
                frame.getClassName().equals("org.apache.ratis.server.impl.LeaderElection")
                    && frame.getMethodName().equals("waitForResults")));
  }

  /** n2 asks n1 for its vote in {@code term} (not a pre-vote), its log as long as n1's. */
  private static RequestVoteRequestProto electionRequest(RaftGroupId groupId, long term, TermIndex last) {
    TermIndexProto lastEntry = last == null
        ? TermIndexProto.getDefaultInstance()
        : TermIndexProto.newBuilder().setTerm(last.getTerm()).setIndex(last.getIndex()).build();
    return RequestVoteRequestProto.newBuilder()
        .setServerRequest(RaftRpcRequestProto.newBuilder()
            .setRequestorId(RaftPeerId.valueOf("n2").toByteString())
            .setReplyId(RaftPeerId.valueOf("n1").toByteString())
            .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(groupId.toByteString()))
            .setCallId(1))
        .setCandidateTerm(term)
        .setCandidateLastEntry(lastEntry)
        .setPreVote(false)
        .build();
  }

  /** A peer cut off: its socket accepts connections (the kernel does) and never answers. */
  private static ServerSocket silentSocket() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    return socket;
  }

  private static RaftPeer peer(String id, int port) {
    return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + port).build();
  }

  private NodeConfig config(int port) {
    return ConfigLoader.load(new String[] {
        "--node-id=n1", "--raft-address=127.0.0.1:" + port, "--api-address=127.0.0.1:" + FreePorts.next(),
        "--peers=n1=127.0.0.1:" + port + ",n2=127.0.0.1:" + silentPeer1.getLocalPort() + ",n3=127.0.0.1:"
            + silentPeer2.getLocalPort(),
        "--data-dir=" + dir.resolve("n1"),
        "--election-timeout-min-ms=" + ELECTION_TIMEOUT_MIN.toMillis(),
        "--election-timeout-max-ms=" + ELECTION_TIMEOUT_MAX.toMillis()}, Map.of());
  }
}
