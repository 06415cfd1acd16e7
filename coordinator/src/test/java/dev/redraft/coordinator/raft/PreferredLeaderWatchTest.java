package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hand-over of a group's leadership to its preferred node: only to a ready, caught-up node. */
class PreferredLeaderWatchTest {
  private final FakeLeadership leadership = new FakeLeadership();
  private final Map<String, LeadershipHealthGuard.PeerState> peers = new HashMap<>();
  private long applied = 5_000;

  private PreferredLeaderWatch watch(String self, String preferred) {
    return new PreferredLeaderWatch(self, preferred, leadership, id -> Optional.ofNullable(peers.get(id)),
        () -> applied, Duration.ofSeconds(3));
  }

  @Test
  void aLeaderHandsOverToItsPreferredNodeOnceThatIsReadyAndCaughtUp() {
    PreferredLeaderWatch watch = watch("n1", "n2");
    peers.put("n2", new LeadershipHealthGuard.PeerState(false, 5_000));
    watch.check(0);
    assertThat(leadership.transfers).as("not while it is not ready").isEmpty();

    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 3_000));
    watch.check(1_000);
    assertThat(leadership.transfers).as("not while it is far behind").isEmpty();

    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 4_990));
    watch.check(2_000);
    assertThat(leadership.transfers).containsExactly("n2");
  }

  @Test
  void nothingHappensOnThePreferredNodeOnAFollowerOrWhenThePreferredNodeIsUnreachable() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 5_000));
    watch("n2", "n2").check(0);
    leadership.leader = false;
    watch("n1", "n2").check(0);
    leadership.leader = true;
    leadership.reachable = Set.of("n3");
    watch("n1", "n2").check(0);
    assertThat(leadership.transfers).isEmpty();
  }

  @Test
  void aFailedHandOverIsRetriedWithBackoff() {
    PreferredLeaderWatch watch = watch("n1", "n2");
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 5_000));
    leadership.fail = true;
    watch.check(0);
    watch.check(9_000); // within the first backoff (10 s): a transfer holds the group's writes
    assertThat(leadership.transfers).containsExactly("n2");
    watch.check(10_000);
    watch.check(29_000); // within the second (20 s)
    assertThat(leadership.transfers).containsExactly("n2", "n2");
    leadership.fail = false;
    watch.check(30_000);
    assertThat(leadership.transfers).containsExactly("n2", "n2", "n2");
  }

  private static final class FakeLeadership implements LeadershipHealthGuard.Leadership {
    boolean leader = true;
    boolean fail;
    Set<String> reachable = Set.of("n2", "n3");
    final List<String> transfers = new ArrayList<>();

    @Override
    public boolean isLeader() {
      return leader;
    }

    @Override
    public Set<String> reachableVoters() {
      return reachable;
    }

    @Override
    public void transferTo(String nodeId, Duration timeout) {
      transfers.add(nodeId);
      if (fail) {
        throw new IllegalStateException("the target did not catch up in time");
      }
    }
  }
}
