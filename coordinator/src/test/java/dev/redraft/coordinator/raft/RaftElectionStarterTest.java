package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a node stands among the voters that may take over after it refused a behind candidate, read from a
 * real Ratis division's configuration: the order in which the up-to-date followers of a larger cluster
 * campaign early ({@link ElectionTimer#behindCandidateRefused}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RaftElectionStarterTest {
  /** Long: the node must not campaign (and learn of no leader) while the test reads its configuration. */
  private static final long ELECTION_TIMEOUT_MS = 60_000;

  @TempDir
  Path dir;

  private RaftHost host;
  private final List<RaftHost> hosts = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    if (host != null) {
      host.close();
    }
    for (RaftHost h : hosts) {
      h.close();
    }
  }

  /**
   * Three nodes, a leader elected: a follower that refuses the other follower leaves the leader it last knew
   * out, so it is the only one that may take over (rank 0: at once), even once Ratis has forgotten that
   * leader (a newer term's vote request clears it). Then the leader loses both followers and steps down:
   * knowing no leader, it is held back for Ratis' step-down wait.
   */
  @Test
  void inAClusterOfThreeTheFollowerThatRefusesTheOtherTakesOverAndALeaderThatSteppedDownWaits() throws Exception {
    LoopbackRaftGroup peers = new LoopbackRaftGroup("n1", "n2", "n3");
    RaftGroup group = peers.group();
    for (String id : List.of("n1", "n2", "n3")) {
      hosts.add(RaftHost.start(peers.config(id, dir, 300, 600), null,
          List.of(new RaftHost.Hosted(group, new BaseStateMachine()))));
    }
    List<RaftServer.Division> divisions = new ArrayList<>();
    for (RaftHost h : hosts) {
      divisions.add(h.server().getDivision(group.getGroupId()));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> divisions.stream().filter(d -> d.getInfo().isLeader()).count() == 1
        && divisions.stream().allMatch(d -> d.getInfo().getLeaderId() != null));
    RaftServer.Division leader = divisions.stream().filter(d -> d.getInfo().isLeader()).findFirst().orElseThrow();
    List<RaftServer.Division> followers = divisions.stream().filter(d -> d != leader).toList();
    RaftServer.Division follower = followers.get(0);
    String other = followers.get(1).getId().toString();
    RaftElectionStarter starter = new RaftElectionStarter(follower.getId().toString(), () -> follower);

    assertThat(starter.silence()).as("a voting follower (and its look records the leader)").isNotNull();
    assertThat(starter.rankAfterRefusing(other)).as("the leader and the candidate left out").isEqualTo(0);
    int byId = follower.getId().toString().compareTo(other) < 0 ? 0 : 1;
    assertThat(starter.rankAfterRefusing(leader.getId().toString()))
        .as("a refused old leader: the two followers, by id").isEqualTo(byId);

    // The leader loses both followers and steps down, knowing no leader since: it is held back for Ratis'
    // step-down wait (Ratis' own timer holds it back that long), not counted as silent.
    RaftElectionStarter leaderStarter = new RaftElectionStarter(leader.getId().toString(), () -> leader);
    assertThat(leaderStarter.isLeader()).isTrue();
    for (RaftHost h : new ArrayList<>(hosts)) {
      if (h.server().getDivision(group.getGroupId()) != leader) {
        h.close();
        hosts.remove(h);
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> leader.getInfo().isFollower()
        && leader.getInfo().getLeaderId() == null);
    assertThat(leaderStarter.silence()).as("led moments ago, knows no leader: left to Ratis' timer").isNull();
    assertThat(new RaftElectionStarter(leader.getId().toString(), () -> leader).silence())
        .as("a look that never saw it lead: the leaderless silence, from Ratis' follower state").isNotNull();
  }

  @Test
  void theRankCountsTheVotersOtherThanTheCandidateById() throws Exception {
    // n3 runs; n1, n2 and n4 are addresses nobody answers on.
    LoopbackRaftGroup peers = new LoopbackRaftGroup("n1", "n2", "n3", "n4");
    RaftGroup group = peers.group();
    host = RaftHost.start(peers.config("n3", dir, ELECTION_TIMEOUT_MS, ELECTION_TIMEOUT_MS + 1000), null,
        List.of(new RaftHost.Hosted(group, new BaseStateMachine())));
    RaftServer.Division division = host.server().getDivision(group.getGroupId());
    RaftElectionStarter starter = new RaftElectionStarter("n3", () -> division);

    assertThat(division.getInfo().getLeaderId()).as("no leader known: every other voter may take over").isNull();
    assertThat(starter.rankAfterRefusing("n2")).as("n1, n3, n4").isEqualTo(1);
    assertThat(starter.rankAfterRefusing("n1")).as("n2, n3, n4").isEqualTo(1);
    assertThat(starter.rankAfterRefusing("n4")).as("n1, n2, n3").isEqualTo(2);
    assertThat(starter.rankAfterRefusing("n9")).as("a node that is no voter (e.g. removed) tells nothing").isEqualTo(-1);
    assertThat(new RaftElectionStarter("n3", () -> null).rankAfterRefusing("n2")).as("no division").isEqualTo(-1);
  }
}
