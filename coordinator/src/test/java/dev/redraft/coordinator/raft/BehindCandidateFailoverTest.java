package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.config.NodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real Ratis servers, the leader gone and the follower whose timer fires first behind: the
 * up-to-date follower refuses it and campaigns at once, not when its own (later) timeout ends. The
 * election timers are this project's ({@link ElectionTimer}, 1-9 s, their draws fixed: the behind node
 * 1.0 s, the up-to-date one 9.0 s); Ratis' own timers are set far later (10-11 s) so that only these start
 * elections. The behind node was restarted, so it knows no leader: its silence is read from Ratis'
 * follower state ({@link LeaderlessSilence}), which Ratis' role info does not report.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BehindCandidateFailoverTest {
  private static final Duration MIN = Duration.ofMillis(1000);
  private static final Duration MAX = Duration.ofMillis(9000);

  @TempDir
  Path dir;

  private final Map<String, RaftHost> hosts = new HashMap<>();
  private final List<ElectionTimer> timers = new ArrayList<>();
  private RaftClient client;

  @AfterEach
  void close() throws IOException {
    timers.forEach(ElectionTimer::close);
    if (client != null) {
      client.close();
    }
    for (RaftHost host : hosts.values()) {
      host.close();
    }
  }

  @Test
  void theUpToDateFollowerTakesOverAsSoonAsItRefusesTheBehindOne() throws Exception {
    LoopbackRaftGroup peers = new LoopbackRaftGroup("n1", "n2", "n3");
    RaftGroup group = peers.group();
    Map<String, NodeConfig> configs = new HashMap<>();
    for (String id : List.of("n1", "n2", "n3")) {
      // Ratis' own timers: far later than this test's, so that they start no election of their own.
      configs.put(id, peers.config(id, dir, 10_000, 11_000));
      start(id, configs.get(id), group);
    }
    // n1 leads (its election started here), n2 is stopped and misses writes: it is behind when it comes back.
    client = RaftClient.newBuilder().setProperties(RaftSettings.adminClient()).setParameters(new Parameters())
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(200, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
    RaftServer.Division n1 = division(hosts.get("n1"), group);
    assertThat(new RaftElectionStarter("n1", () -> n1).startElection(0)).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> n1.getInfo().isLeader());
    assertThat(client.io().send(Message.valueOf("before")).isSuccess()).isTrue();
    RaftServer.Division n2 = division(hosts.get("n2"), group);
    long committed = n1.getRaftLog().getLastCommittedIndex();
    await().atMost(Duration.ofSeconds(20)).until(() -> n2.getRaftLog().getLastCommittedIndex() >= committed);
    hosts.remove("n2").close();
    for (int i = 0; i < 5; i++) {
      assertThat(client.io().send(Message.valueOf("w" + i)).isSuccess()).isTrue();
    }
    RaftServer.Division n3 = division(hosts.get("n3"), group);
    await().atMost(Duration.ofSeconds(20)).until(() -> n3.getInfo().getLeaderId() != null
        && n3.getRaftLog().getLastCommittedIndex() >= division(hosts.get("n1"), group).getRaftLog().getLastCommittedIndex());

    // n3's timer runs while n1 leads (it records n1 as the leader); then n1 goes and n2 comes back behind.
    ElectionTimer n3Timer = timer("n3", n3, 8000);
    hosts.get("n3").behindCandidateVotes().listen(group.getGroupId(), n3Timer::behindCandidateRefused);
    Thread.sleep(200);
    long leaderGone = System.nanoTime(); // n3 last heard of n1 before its close (which takes a while) ended
    hosts.remove("n1").close();
    start("n2", configs.get("n2"), group);
    ElectionTimer n2Timer = timer("n2", division(hosts.get("n2"), group), 0);

    await().atMost(Duration.ofSeconds(15)).until(() -> n3.getInfo().isLeader());
    Duration tookOver = Duration.ofNanos(System.nanoTime() - leaderGone);
    // The bound holds a Ratis server's close and another's start on a loaded machine, and stays under n3's own
    // timeout (9.0 s from the last message it had from n1, a little before leaderGone: 8.6 s or more from it).
    assertThat(tookOver).as("n3 led after the leader went (its own timeout: 9.0 s; n2's: 1.0 s from its start)")
        .isLessThan(Duration.ofMillis(8000));
    // A timer counts an election once its start call returned, which can be after the election was won.
    await().atMost(Duration.ofSeconds(5)).until(() -> n3Timer.electionsStarted() >= 1 && n2Timer.electionsStarted() >= 1);
    assertThat(n2Timer.electionsStarted()).as("n2, knowing no leader since its restart, campaigned").isPositive();
    assertThat(n3Timer.electionsStarted()).as("n3's one election, started when it refused n2").isEqualTo(1);
  }

  private void start(String id, NodeConfig config, RaftGroup group) throws IOException {
    hosts.put(id, RaftHost.start(config, null, List.of(new RaftHost.Hosted(group, new Recorder()))));
  }

  /** A started election timer for {@code id} whose first silence's timeout is MIN + {@code drawMs}. */
  private ElectionTimer timer(String id, RaftServer.Division division, long drawMs) {
    ElectionTimer timer = new ElectionTimer(id, new RaftElectionStarter(id, () -> division), MIN, MAX,
        System::nanoTime, bound -> Math.min(drawMs, bound - 1), Long.MAX_VALUE);
    timers.add(timer);
    timer.start();
    return timer;
  }

  private static RaftServer.Division division(RaftHost host, RaftGroup group) {
    try {
      return host.server().getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Applies nothing but moves the applied index, so that the log commits. */
  private static final class Recorder extends BaseStateMachine {
    @Override
    public java.util.concurrent.CompletableFuture<Message> applyTransaction(
        org.apache.ratis.statemachine.TransactionContext trx) {
      var entry = trx.getLogEntry();
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return java.util.concurrent.CompletableFuture.completedFuture(
          Message.valueOf(entry.getStateMachineLogEntry().getLogData().toString(StandardCharsets.UTF_8)));
    }
  }
}
