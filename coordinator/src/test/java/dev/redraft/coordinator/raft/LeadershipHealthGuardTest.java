package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redraft.coordinator.node.NodeHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** When a leader that cannot serve hands over, to whom, and what it says (once per state change). */
class LeadershipHealthGuardTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(LeadershipHealthGuard.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final NodeHealth health = new NodeHealth("n1");
  private final FakeLeadership leadership = new FakeLeadership();
  private final Map<String, LeadershipHealthGuard.PeerState> peers = new HashMap<>();
  private final AtomicLong applied = new AtomicLong(10);
  private final AtomicLong handed = new AtomicLong(10);
  /** The guard's clock (nanoseconds): tests move it instead of sleeping. */
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private LeadershipHealthGuard guard;

  @BeforeEach
  void setUp() {
    logged.start();
    logger.addAppender(logged);
    health.markReady();
    guard = guard(Duration.ofMillis(300));
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(logged);
    guard.close();
  }

  private LeadershipHealthGuard guard(Duration bound) {
    return new LeadershipHealthGuard("n1", leadership,
        new ServingProblem(health, applied::get, handed::get, nanos::get), id -> Optional.ofNullable(peers.get(id)),
        bound, nanos::get);
  }

  @Test
  void aHealthyLeaderKeepsLeadingAndSaysNothing() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 10));
    for (int i = 0; i < 5; i++) {
      guard.check();
    }
    assertThat(leadership.transfers).isEmpty();
    assertThat(logged.list).isEmpty();
  }

  @Test
  void aLeaderThatNeedsRepairHandsOverAtOnceToTheReadyVoterThatAppliedMost() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 8));
    peers.put("n3", new LeadershipHealthGuard.PeerState(true, 10));
    leadership.voters = Set.of("n1", "n2", "n3");
    health.markNeedsRepair("its Redis diverged at verify round 6");
    guard.check();
    assertThat(leadership.transfers).containsExactly("n3");
    assertThat(warnings()).singleElement().asString().contains("diverged").contains("handing leadership to n3");
  }

  @Test
  void aVoterThatIsNotReadyOrDoesNotAnswerIsNeverTheTarget() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(false, 50));
    leadership.voters = Set.of("n1", "n2", "n3"); // n3 does not answer
    health.markNeedsRepair("diverged");
    guard.check();
    assertThat(leadership.transfers).isEmpty();
    assertThat(warnings()).singleElement().asString().contains("no other voter is ready");
  }

  @Test
  void anUnreadyLeaderWaitsForTheBoundThenHandsOverAndSaysSoOnce() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 10));
    health.markTransient("cannot apply to its Redis: Connection refused");
    guard.check();
    assertThat(leadership.transfers).as("a blip shorter than the bound moves nothing").isEmpty();
    advanceMillis(290);
    guard.check();
    assertThat(leadership.transfers).as("still within the 300 ms bound").isEmpty();
    advanceMillis(60);
    leadership.stepsDownOnTransfer = false; // the transfer did not take: it leads still, and tries again
    guard.check();
    guard.check();
    assertThat(leadership.transfers).as("the retry waits for its backoff").containsExactly("n2");
    advanceMillis(600);
    guard.check();
    assertThat(leadership.transfers).containsExactly("n2", "n2");
    assertThat(warnings()).as("%s", messages()).filteredOn(m -> m.contains("handing leadership")).hasSize(1)
        .allSatisfy(m -> assertThat(m).contains("Redis"));

    health.markReady();
    guard.check();
    guard.check();
    assertThat(messages()).filteredOn(m -> m.contains("can serve again")).hasSize(1);
  }

  @Test
  void aStalledApplyCountsAsCannotServe() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 10));
    handed.set(15); // five entries wait, none gets applied
    guard.check();
    advanceMillis(400);
    guard.check();
    assertThat(leadership.transfers).as("a stall counts from 500 ms").isEmpty();
    advanceMillis(400);
    guard.check();
    assertThat(leadership.transfers).containsExactly("n2");
    assertThat(warnings()).singleElement().asString().contains("applied none of 5 committed entries");
  }

  @Test
  void noTargetIsSaidOnceAndAskedAgainWithBackoff() {
    health.markNeedsRepair("diverged");
    for (int i = 0; i < 10; i++) {
      guard.check();
      advanceMillis(20);
    }
    assertThat(leadership.asked).as("asked once: the retry waits 500 ms").isEqualTo(1);
    advanceMillis(400);
    guard.check();
    assertThat(leadership.asked).as("asked again after the backoff").isEqualTo(2);
    advanceMillis(900);
    guard.check();
    assertThat(leadership.asked).as("the backoff doubled to 1 s").isEqualTo(2);
    advanceMillis(200);
    guard.check();
    assertThat(leadership.asked).isEqualTo(3);
    assertThat(warnings()).hasSize(1);
  }

  @Test
  void aFollowerThatCannotServeDoesNothing() {
    peers.put("n2", new LeadershipHealthGuard.PeerState(true, 10));
    leadership.leader = false;
    health.markNeedsRepair("diverged");
    guard.check();
    assertThat(leadership.transfers).isEmpty();
    assertThat(logged.list).isEmpty();
  }

  private void advanceMillis(long millis) {
    nanos.addAndGet(millis * 1_000_000L);
  }

  private List<String> messages() {
    return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private List<String> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static final class FakeLeadership implements LeadershipHealthGuard.Leadership {
    volatile boolean leader = true;
    volatile boolean stepsDownOnTransfer = true;
    Set<String> voters = Set.of("n1", "n2");
    final List<String> transfers = new ArrayList<>();
    int asked;

    @Override
    public boolean isLeader() {
      return leader;
    }

    @Override
    public Set<String> reachableVoters() {
      asked++;
      return voters;
    }

    @Override
    public void transferTo(String nodeId, Duration timeout) {
      transfers.add(nodeId);
      if (stepsDownOnTransfer) {
        leader = false;
      } else {
        throw new IllegalStateException("the target did not win in time");
      }
    }
  }
}
