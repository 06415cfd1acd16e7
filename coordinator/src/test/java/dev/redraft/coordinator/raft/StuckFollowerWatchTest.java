package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the leader decides a follower stopped catching up, and what it does about it. */
class StuckFollowerWatchTest {
  private final AtomicLong now = new AtomicLong();
  private final FakeLeader leader = new FakeLeader();
  private final StuckFollowerWatch watch = new StuckFollowerWatch("n1", leader, Duration.ofSeconds(6),
      Duration.ofSeconds(2), now::get);

  private static final class FakeLeader implements StuckFollowerWatch.Leader {
    boolean leads = true;
    long commit = 100;
    final Map<String, StuckFollowerWatch.Progress> followers = new HashMap<>();
    final List<String> transfers = new ArrayList<>();

    @Override
    public boolean isLeader() {
      return leads;
    }

    @Override
    public long commitIndex() {
      return commit;
    }

    @Override
    public Map<String, StuckFollowerWatch.Progress> followers() {
      return Map.copyOf(followers);
    }

    @Override
    public void transferTo(String nodeId, Duration timeout) {
      transfers.add(nodeId);
    }
  }

  @AfterEach
  void close() {
    watch.close();
  }

  /** Checks once a second for {@code seconds}, the leader committing {@code perSecond} entries each second. */
  private void run(int seconds, int perSecond, boolean n3Follows) {
    for (int i = 0; i < seconds; i++) {
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      leader.commit += perSecond;
      leader.followers.put("n2", new StuckFollowerWatch.Progress(leader.commit - 1, 10));
      if (n3Follows) {
        leader.followers.put("n3", new StuckFollowerWatch.Progress(leader.commit - 2, 10));
      }
      watch.check();
    }
  }

  @Test
  void followersThatKeepUpEvenALittleBehindAreLeftAlone() {
    run(30, 50, true);
    assertThat(leader.transfers).isEmpty();
  }

  @Test
  void aFollowerThatAnswersButStaysPutWhileBehindMakesTheLeaderHandOverToOneThatKeepsUp() {
    leader.followers.put("n3", new StuckFollowerWatch.Progress(31, 10));  // "INCONSISTENCY reply with nextIndex 32"
    run(5, 20, false);
    assertThat(leader.transfers).as("5 s is not stuck yet").isEmpty();
    run(2, 20, false);
    assertThat(leader.transfers).containsExactly("n2");

    // Still stuck under the next leader: this one waits its backoff (a minute) before acting again.
    run(50, 20, false);
    assertThat(leader.transfers).hasSize(1);
    run(20, 20, false);
    assertThat(leader.transfers).hasSize(2);
  }

  @Test
  void aFollowerThatIsDownOrCaughtUpOrAnIdleClusterIsNotStuck() {
    leader.followers.put("n3", new StuckFollowerWatch.Progress(31, 5_000));  // not answering: down, not half-alive
    run(20, 20, false);
    assertThat(leader.transfers).isEmpty();

    leader.followers.put("n2", new StuckFollowerWatch.Progress(leader.commit, 10));
    leader.followers.put("n3", new StuckFollowerWatch.Progress(leader.commit, 10));
    for (int i = 0; i < 20; i++) {
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      watch.check();  // idle: nobody moves, nobody is behind
    }
    assertThat(leader.transfers).isEmpty();
  }

  @Test
  void withNoOtherVoterCaughtUpOrWhenNotLeadingItDoesNothing() {
    leader.followers.put("n2", new StuckFollowerWatch.Progress(31, 10));
    for (int i = 0; i < 20; i++) {
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      leader.commit += 10;
      watch.check();
    }
    assertThat(leader.transfers).isEmpty();

    leader.leads = false;
    leader.followers.put("n3", new StuckFollowerWatch.Progress(leader.commit, 10));
    run(20, 20, true);
    assertThat(leader.transfers).isEmpty();
  }
}
