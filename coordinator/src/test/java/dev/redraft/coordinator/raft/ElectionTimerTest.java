package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a follower's election timer starts an election: at the leader's last message + a fresh random timeout. */
class ElectionTimerTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final FakeFollower follower = new FakeFollower();
  /** The random offsets the timer draws, in order, and the bounds it asked for. */
  private final Deque<Long> draws = new ArrayDeque<>();
  private final List<Long> bounds = new ArrayList<>();
  private final ElectionTimer timer = new ElectionTimer("n1", follower, Duration.ofMillis(1000),
      Duration.ofMillis(2000), now::get, bound -> {
        bounds.add(bound);
        return draws.isEmpty() ? 0 : draws.poll();
      });

  private final class FakeFollower implements ElectionTimer.Follower {
    boolean leads;
    boolean voter = true;
    long lastMessageNanos = now.get();
    int outstanding;
    final List<Long> elections = new ArrayList<>();
    int looksForStoppedRounds;
    int rank;
    final List<String> refusedCandidates = new ArrayList<>();
    boolean holdsAPreVote;
    String leader = "n3";

    @Override
    public String leaderId() {
      return leader;
    }

    @Override
    public boolean holdsAPreVote() {
      return holdsAPreVote;
    }

    @Override
    public boolean isLeader() {
      return leads;
    }

    @Override
    public ElectionTimer.Silence silence() {
      if (leads || !voter) {
        return null;
      }
      return new ElectionTimer.Silence(TimeUnit.NANOSECONDS.toMillis(now.get() - lastMessageNanos), outstanding);
    }

    @Override
    public boolean startElection(long timeoutMs) {
      elections.add(timeoutMs);
      return true;
    }

    @Override
    public void endStoppedElectionRound() {
      looksForStoppedRounds++;
    }

    @Override
    public int rankAfterRefusing(String candidate) {
      refusedCandidates.add(candidate);
      return rank;
    }
  }

  @AfterEach
  void close() {
    timer.close();
  }

  private void at(long millisAfterStart) {
    now.set(TimeUnit.SECONDS.toNanos(100) + TimeUnit.MILLISECONDS.toNanos(millisAfterStart));
    timer.tick();
  }

  private void messageAt(long millisAfterStart) {
    follower.lastMessageNanos = TimeUnit.SECONDS.toNanos(100) + TimeUnit.MILLISECONDS.toNanos(millisAfterStart);
  }

  @Test
  void startsAnElectionOnceTheLeaderIsSilentForTheDrawnTimeout() {
    draws.add(300L);
    at(0);
    at(1280);
    assertThat(follower.elections).isEmpty();
    at(1300);
    assertThat(follower.elections).containsExactly(1300L);
    assertThat(bounds).as("a timeout anywhere in [min, max], both included").containsExactly(1001L);
    assertThat(timer.electionsStarted()).isEqualTo(1);
  }

  @Test
  void aNodeHoldingAnotherCandidatesPreVoteDoesNotCampaignUntilTheHoldEnds() {
    draws.add(0L); // this silence's timeout: the minimum, 1000 ms, when the lease (and a hold) ends too
    at(0);
    follower.holdsAPreVote = true;
    at(1000);
    at(1020);
    assertThat(follower.elections).as("it would grant that candidate's pre-vote and split the vote with it").isEmpty();
    follower.holdsAPreVote = false;
    at(1040);
    assertThat(follower.elections).as("refused or cancelled without a new silence: it campaigns at the next look")
        .containsExactly(1000L);
  }

  @Test
  void aRefusedBehindCandidateMakesItCampaignAtTheLowEndOfTheRange() {
    draws.add(900L); // this silence's timeout: 1900 ms
    at(0);
    at(1500);
    timer.noteBehindCandidateRefused("n2");
    at(1520);
    assertThat(follower.elections).as("already silent for longer than the minimum: at once, not at 1900 ms")
        .containsExactly(1520L);
    assertThat(follower.refusedCandidates).containsExactly("n2");
  }

  @Test
  void inALargerClusterTheOthersWhoMayTakeOverCampaignOneAfterTheOtherByRank() {
    follower.rank = 2;
    draws.add(900L);
    at(0);
    at(1500);
    timer.noteBehindCandidateRefused("n2");
    at(1520);
    at(1800);
    assertThat(follower.elections).as("rank 2: two steps after now").isEmpty();
    at(1820);
    assertThat(follower.elections).containsExactly(1520L + 2 * ElectionTimer.EARLY_RANK_STEP_MS);
  }

  @Test
  void aRankThatCannotBeToldChangesNothing() {
    follower.rank = -1;
    draws.add(900L);
    at(0);
    at(1500);
    timer.noteBehindCandidateRefused("n2");
    at(1520);
    at(1880);
    assertThat(follower.elections).isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aRefusalBeforeTheMinimumMakesItCampaignAtTheMinimum() {
    draws.add(900L);
    at(0);
    at(600);
    timer.noteBehindCandidateRefused("n2");
    at(620);
    at(980);
    assertThat(follower.elections).as("below election-timeout-min: the leader may yet be heard").isEmpty();
    at(1000);
    assertThat(follower.elections).containsExactly(1000L);
    messageAt(1010); // the next silence draws its own timeout again
    draws.add(500L);
    at(2000);
    at(2500);
    assertThat(follower.elections).containsExactly(1000L);
    at(2520);
    assertThat(follower.elections).containsExactly(1000L, 1500L);
  }

  @Test
  void aRefusalWhileTheLeaderWasHeardWithinHalfTheMinimumChangesNothing() {
    draws.add(900L);
    at(0);
    at(300);
    timer.noteBehindCandidateRefused("n2"); // the candidate lost the leader alone (cut off from it)
    at(320);
    at(1880);
    assertThat(follower.elections).isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aLeaderMessageAfterTheRefusalCancelsIt() {
    draws.add(900L);
    at(0);
    at(1500);
    timer.noteBehindCandidateRefused("n2");
    messageAt(1510);
    draws.add(900L);
    at(1520);
    at(3400);
    assertThat(follower.elections).as("the leader was not gone: its next silence has its drawn timeout").isEmpty();
    at(3420);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aLeaderWhoseStreamBrokeOffIsReplacedAtTheMinimumPlusTheLeaseMargin() {
    draws.add(900L); // this silence's timeout: 1900 ms
    at(0);
    timer.noteLeaderStreamLost("n3"); // the leader's process died right after its last message
    at(20);
    at(1000 + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS - 20);
    assertThat(follower.elections).as("below election-timeout-min the others still grant the leader's lease").isEmpty();
    at(1000 + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS);
    assertThat(follower.elections).containsExactly(1000L + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS);
    assertThat(follower.refusedCandidates).as("its rank among the voters other than that leader").containsOnly("n3");
  }

  @Test
  void afterALostLeaderStreamTheOthersKeepTheirOwnLaterTimeouts() {
    follower.rank = 1;
    draws.add(900L); // 1900 ms: after its turn (1200 ms)
    at(0);
    timer.noteLeaderStreamLost("n3");
    at(20);
    at(1880);
    assertThat(follower.elections).as("not hurried: with other minimums than the first's it could come first").isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aLaterRankWaitsForItsTurnEvenIfItDrewATimeoutNearTheMinimum() {
    follower.rank = 1;
    draws.add(30L); // this silence's timeout: 1030 ms, with the first follower's turn at 1050 ms
    at(0);
    timer.noteLeaderStreamLost("n3");
    at(20);
    long turn = 1000L + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS + ElectionTimer.EARLY_RANK_STEP_MS;
    at(1040);
    at(turn - 20);
    assertThat(follower.elections).as("with the first one's: both pre-votes pass, a split vote").isEmpty();
    at(turn);
    assertThat(follower.elections).containsExactly(turn);
  }

  @Test
  void aBrokenStreamOfANodeThisOneDoesNotFollowChangesNothing() {
    draws.add(900L);
    at(0);
    timer.noteLeaderStreamLost("n2"); // a stream of an earlier leader, closed late
    at(20);
    at(1880);
    assertThat(follower.elections).isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aLeaderThatSendsAnAppendAfterItsStreamEndedKeepsItsDrawnTimeout() {
    draws.add(900L);
    at(0);
    timer.noteLeaderStreamLost("n3");
    timer.appendReceived(); // the leader is alive: it sends on another stream
    at(20);
    at(1880);
    assertThat(follower.elections).isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void anAppendInFlightAtTheLossThatFinishesLaterDoesNotUndoIt() {
    draws.add(900L);
    at(0);
    timer.noteLeaderStreamLost("n3");
    at(20);
    messageAt(300); // Ratis moves the last-message time when that append's disk write completes
    draws.add(900L); // a new silence, with a timeout drawn again
    at(320);
    long expected = 300 + 1000L + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS;
    at(expected - 20);
    assertThat(follower.elections).isEmpty();
    at(expected);
    assertThat(follower.elections).containsExactly(1000L + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS);
  }

  @Test
  void aLossNeverDelaysACampaignABehindCandidatesRefusalBroughtForward() {
    follower.rank = 1;
    draws.add(900L);
    at(0);
    at(1000);
    timer.noteBehindCandidateRefused("n2"); // looked at 1020 ms: rank 1 after refusing n2, at 1170 ms
    at(1020);
    timer.noteLeaderStreamLost("n3"); // rank 1 after losing n3 would be 1200 ms
    at(1040);
    at(1160);
    assertThat(follower.elections).isEmpty();
    at(1180);
    assertThat(follower.elections).containsExactly(1020L + ElectionTimer.EARLY_RANK_STEP_MS);
  }

  @Test
  void aLossIsOverOnceThisNodeCampaignsOrLeads() {
    draws.add(900L);
    at(0);
    timer.noteLeaderStreamLost("n3");
    at(20);
    at(1000 + ElectionTimer.LOST_LEADER_LEASE_MARGIN_MS);
    assertThat(follower.elections).hasSize(1);
    follower.leads = true; // it won
    at(1100);
    follower.leads = false; // and later follows again, with a silence of its own
    follower.leader = "n2";
    messageAt(2000);
    draws.add(900L);
    at(2000);
    at(3880);
    assertThat(follower.elections).as("that loss said nothing of this silence").hasSize(1);
    at(3900);
    assertThat(follower.elections).hasSize(2);
  }

  @Test
  void oneLookIsQueuedForRefusalsThatComeBeforeIt() {
    assertThat(timer.noteBehindCandidateRefused("n2")).isTrue();
    assertThat(timer.noteBehindCandidateRefused("n2")).as("a look is already due").isFalse();
    at(0);
    assertThat(timer.noteBehindCandidateRefused("n2")).as("taken by the look").isTrue();
  }

  @Test
  void aRefusalIsNewsOfThisSilenceOnly() {
    follower.leads = true;
    timer.noteBehindCandidateRefused("n2");
    at(0);
    follower.leads = false;
    messageAt(0);
    draws.add(900L);
    at(20);
    at(1880);
    assertThat(follower.elections).as("a refusal taken while leading does not shorten a later silence").isEmpty();
    at(1900);
    assertThat(follower.elections).containsExactly(1900L);
  }

  @Test
  void aLeaderMessageStartsANewSilenceWithItsOwnTimeout() {
    draws.add(900L);
    draws.add(100L);
    at(500);
    messageAt(600);
    at(1650);
    assertThat(follower.elections).as("1050 ms after the message, below the new 1100 ms timeout").isEmpty();
    at(1700);
    assertThat(follower.elections).containsExactly(1100L);
  }

  @Test
  void neverLaterThanTheMaximumAfterTheLastMessage() {
    draws.add(1000L);
    for (long t = 0; t <= 2000; t += ElectionTimer.TICK_MS) {
      at(t);
    }
    assertThat(follower.elections).containsExactly(2000L);
  }

  @Test
  void waitsWhileTheFollowerIsStillHandlingAnAppend() {
    follower.outstanding = 1;
    at(0);
    at(1500);
    assertThat(follower.elections).isEmpty();
    follower.outstanding = 0;
    at(1520);
    assertThat(follower.elections).containsExactly(1000L);
  }

  @Test
  void triesOncePerSilence() {
    at(0);
    at(1000);
    at(1500);
    at(3000);
    assertThat(follower.elections).hasSize(1);
    messageAt(3100);
    at(4200);
    assertThat(follower.elections).hasSize(2);
  }

  @Test
  void leavesLearnersAndJoiningNodesAlone() {
    follower.voter = false;
    at(0);
    at(5000);
    assertThat(follower.elections).isEmpty();
  }

  @Test
  void aLeaderNeverCampaigns() {
    follower.leads = true;
    at(0);
    at(5000);
    assertThat(follower.elections).isEmpty();
  }

  @Test
  void everyLookEndsAStoppedElectionRoundWhateverTheRole() {
    at(0);
    follower.leads = true;
    at(20);
    follower.leads = false;
    follower.voter = false;
    at(40);
    assertThat(follower.looksForStoppedRounds).isEqualTo(3);
  }

  @Test
  void refusesAMaximumBelowTheMinimum() {
    assertThatThrownBy(() -> new ElectionTimer("n1", follower, Duration.ofSeconds(2), Duration.ofSeconds(1),
        now::get, bound -> 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ratisStillHasTheElectionStartThisTimerCalls() {
    assertThat(RaftElectionStarter.available())
        .as("RaftServerImpl.changeToCandidate(boolean) in this Ratis version").isTrue();
    assertThat(StoppedElectionRound.available())
        .as("RaftServerImpl.getRole(), RoleInfo.leaderElection, LeaderElection.daemon and lifeCycle").isTrue();
    assertThat(LeaderlessSilence.available())
        .as("RaftServerImpl.getRole(), RoleInfo.getFollowerState(), FollowerState.getLastRpcTime()").isTrue();
  }

  @Test
  void aSilenceThisNodeCausedByPausingCountsFromItsResume() {
    ElectionTimer pausable = new ElectionTimer("n1", follower, Duration.ofMillis(1000), Duration.ofMillis(2000), now::get,
        bound -> 0, TimeUnit.MILLISECONDS.toNanos(1000));
    try {
      messageAt(0);
      for (long t = 0; t <= 500; t += 20) {
        at(pausable, t);
      }
      // Frozen from 500 ms to 8,500 ms: the leader was silent meanwhile, but so was this node.
      at(pausable, 8_500);
      assertThat(follower.elections).as("no election on waking: the timeout counts from the resume").isEmpty();
      for (long t = 8_520; t < 9_500; t += 20) {
        at(pausable, t);
      }
      assertThat(follower.elections).isEmpty();
      at(pausable, 9_500);
      assertThat(follower.elections).as("the leader stayed silent for a whole timeout after the resume").hasSize(1);
    } finally {
      pausable.close();
    }
  }

  @Test
  void aMessageAfterTheResumeEndsTheSilenceAsUsual() {
    ElectionTimer pausable = new ElectionTimer("n1", follower, Duration.ofMillis(1000), Duration.ofMillis(2000), now::get,
        bound -> 0, TimeUnit.MILLISECONDS.toNanos(1000));
    try {
      at(pausable, 0);
      at(pausable, 8_000);
      messageAt(8_100);
      for (long t = 8_020; t <= 9_080; t += 20) {
        at(pausable, t);
      }
      assertThat(follower.elections).as("the new leader's message came 100 ms after the resume").isEmpty();
      at(pausable, 9_100);
      assertThat(follower.elections).hasSize(1);
    } finally {
      pausable.close();
    }
  }

  private void at(ElectionTimer timer, long millisAfterStart) {
    now.set(TimeUnit.SECONDS.toNanos(100) + TimeUnit.MILLISECONDS.toNanos(millisAfterStart));
    timer.tick();
  }
}
