package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LeaderClientsTest {
  /** Stands in for a Ratis client: remembers which leader it was aimed at and whether it was closed. */
  static final class FakeClient implements AutoCloseable {
    final String aimedAt;
    volatile boolean closed;
    /** Runs on another thread while close() waits for it, as Ratis fails pending requests on close. */
    volatile Runnable onClose = () -> { };

    FakeClient(String aimedAt) {
      this.aimedAt = aimedAt;
    }

    @Override
    public void close() throws InterruptedException {
      closed = true;
      Thread failPending = new Thread(onClose);
      failPending.start();
      failPending.join();
    }
  }

  private final AtomicReference<String> leader = new AtomicReference<>();
  private final Set<String> members = new HashSet<>(Set.of("n1", "n2", "n3"));
  private final List<FakeClient> created = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Spare sets are made only when a test runs these tasks. */
  private final List<Runnable> background = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Clients aimed at this node cannot be made (as when building one's TLS context fails). */
  private volatile String failFor;
  /** Runs once, as the next client is made (from a fill, outside the lock). */
  private final AtomicReference<Runnable> whileMaking = new AtomicReference<>();
  /** Fills and spares share one queue here, run in the order queued. */
  private final LeaderClients<FakeClient> clients = new LeaderClients<>("n2", 3, leader::get, () -> Set.copyOf(members),
      (aimedAt, slot) -> {
        Runnable hook = whileMaking.getAndSet(null);
        if (hook != null) {
          hook.run();
        }
        if (aimedAt.equals(failFor)) {
          throw new IllegalStateException("cannot make a client aimed at " + aimedAt);
        }
        FakeClient client = new FakeClient(aimedAt);
        created.add(client);
        return client;
      }, background::add, background::add);

  @Test
  void aNewLeaderGetsTheSpareSetMadeBeforeItWasElected() {
    leader.set("n1");
    FakeClient first = clients.next().client();
    assertThat(created).as("one client of n1's set, made while the write waited").hasSize(1);
    runBackground();
    assertThat(created).as("n1's set filled, and spares for n2 and n3, not for the leader n1").hasSize(9)
        .filteredOn(c -> c.aimedAt.equals("n1")).hasSize(3);
    clients.next();
    clients.next();
    assertThat(background).as("no more spares while the leader stays").isEmpty();
    assertThat(created).hasSize(9);

    leader.set("n3");
    FakeClient afterElection = clients.next().client();
    assertThat(afterElection.aimedAt).isEqualTo("n3");
    assertThat(created).as("the new leader's spare was used: nothing made while the write waited").hasSize(9);
    runBackground();
    assertThat(created).as("a spare for n1, the former leader").hasSize(12)
        .filteredOn(c -> c.aimedAt.equals("n1")).hasSize(6).contains(first);
  }

  /**
   * Without a spare (a node just started), one client is made while the write waits and lent by the
   * set's empty slots until the background filled them: filled one slot per write, a loaded node's
   * writes waited for each client's TLS context in turn (3.2 s without an answer in a fault run).
   */
  @Test
  void withoutASpareAWriteWaitsForOneClientAtMostAndTheSetIsFilledInTheBackground() {
    leader.set("n1");
    Set<FakeClient> used = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      used.add(clients.next().client());
    }
    assertThat(created).as("made while writes waited").hasSize(1);
    assertThat(used).containsExactlyElementsOf(created);
    assertThat(background).as("the fill of n1's set, then spares for n2 and n3").hasSize(3);
    runBackground();
    used.clear();
    for (int i = 0; i < 6; i++) {
      used.add(clients.next().client());
    }
    assertThat(used).as("every slot has its own client now").hasSize(3).allMatch(c -> c.aimedAt.equals("n1"));
    assertThat(background).as("nothing left to fill").isEmpty();
  }

  @Test
  void aFillThatCannotMakeAClientEndsAndTheNextWriteQueuesItAgain() {
    leader.set("n1");
    clients.next();
    failFor = "n1";
    runBackground();
    assertThat(created).as("only the client made while the first write waited").filteredOn(c -> c.aimedAt.equals("n1"))
        .hasSize(1);
    failFor = null;
    clients.next();
    assertThat(background).as("a fill queued again").hasSize(1);
    runBackground();
    assertThat(created).filteredOn(c -> c.aimedAt.equals("n1")).hasSize(3);
  }

  /** A slot emptied by replace while a fill runs is made by that fill (replace queues no second one). */
  @Test
  void aSlotEmptiedWhileTheSetIsBeingFilledIsMadeByTheFill() {
    leader.set("n1");
    LeaderClients.Lease<FakeClient> first = clients.next();
    whileMaking.set(() -> clients.replace(first));
    runBackground();
    assertThat(background).as("no second fill queued").isEmpty();
    Set<FakeClient> used = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      used.add(clients.next().client());
    }
    assertThat(used).as("three clients of n1, the replaced one not among them").hasSize(3)
        .doesNotContain(first.client()).allMatch(c -> !c.closed && c.aimedAt.equals("n1"));
    assertThat(background).isEmpty();
  }

  @Test
  void aLeaderThisNodeLearnsOfGetsItsSpareBeforeAnyWriteNeedsIt() {
    clients.leaderChanged("n2");
    assertThat(background).as("none for this node itself: it proposes without a client").isEmpty();
    clients.leaderChanged("n1");
    clients.leaderChanged("n1");
    assertThat(background).as("one spare queued for n1").hasSize(1);
    runBackground();
    assertThat(created).hasSize(3).allMatch(c -> c.aimedAt.equals("n1"));
    leader.set("n1");
    assertThat(clients.next().client()).isIn(created);
    assertThat(created).as("the first write took the spare: nothing made while it waited").hasSize(3);
    int queued = background.size();
    clients.leaderChanged("n1");
    assertThat(background).as("n1 leads and has its set: nothing more queued").hasSize(queued);
  }

  /** A write for n1 came first and made n1's set: the spare stops and closes the part it made. */
  @Test
  void aSpareStopsOnceItsNodeLeadsHereAndClosesWhatItMade() {
    clients.leaderChanged("n1");
    leader.set("n1");
    AtomicReference<FakeClient> inUse = new AtomicReference<>();
    whileMaking.set(() -> inUse.set(clients.next().client()));  // while the spare's first client is made
    List<Runnable> spareTask = List.copyOf(background);
    background.clear();
    spareTask.forEach(Runnable::run);
    assertThat(created).as("the write's client and the spare's first, then the spare stopped").hasSize(2);
    FakeClient partOfSpare = created.get(1);
    assertThat(partOfSpare).isNotSameAs(inUse.get());
    await().atMost(Duration.ofSeconds(5)).until(() -> partOfSpare.closed);
    assertThat(inUse.get().closed).isFalse();
    assertThat(clients.next().client()).as("the set in use stays").isSameAs(inUse.get());
  }

  @Test
  void aFillForALeaderThisNodeNoLongerKnowsOfStops() {
    leader.set("n1");
    clients.next();
    leader.set("n3");
    clients.next();
    runBackground();
    assertThat(created).as("n1's first client, then its spare made after n3 was elected")
        .filteredOn(c -> c.aimedAt.equals("n1")).hasSize(4);
    assertThat(created).as("n3's set filled; no spare for n3 while it leads")
        .filteredOn(c -> c.aimedAt.equals("n3")).hasSize(3);
  }

  /** The proposal fails, and the set retired on the way is still closed; the next proposal gets a client. */
  @Test
  void aClientThatCannotBeMadeFailsOneProposalAndLeavesNothingOpenBehind() {
    leader.set("n1");
    FakeClient firstStint = clients.next().client();
    leader.set("n3");
    clients.next();
    leader.set("n1");
    failFor = "n1";
    assertThatThrownBy(clients::next).hasMessageContaining("cannot make a client aimed at n1");
    await().atMost(Duration.ofSeconds(5)).until(() -> firstStint.closed);
    failFor = null;
    FakeClient next = clients.next().client();
    assertThat(next.aimedAt).isEqualTo("n1");
    assertThat(next.closed).isFalse();
  }

  /**
   * A spare queued for a node that leads by the time its turn comes is not made (that node has its set):
   * the spares queued behind it, for the likely next leaders, are not held up by it.
   */
  @Test
  void aSpareQueuedForANodeThatNowLeadsIsSkipped() {
    leader.set("n2");
    clients.next();
    assertThat(background).as("the fill of n2's set and spares queued for n1 and n3").hasSize(3);
    leader.set("n1");
    clients.next();
    runBackground();
    assertThat(created).as("n1's set (its first client and the fill), no spare for n1: it leads")
        .filteredOn(c -> c.aimedAt.equals("n1")).hasSize(3);
    assertThat(created).as("n3's spare").filteredOn(c -> c.aimedAt.equals("n3")).hasSize(3);
    assertThat(created).as("n2's first client and its spare, queued when it stopped leading")
        .filteredOn(c -> c.aimedAt.equals("n2")).hasSize(4);
  }

  @Test
  void sparesOfANodeThatLeftAreClosedAndClosingClosesSpares() {
    leader.set("n1");
    clients.next();
    runBackground();
    assertThat(created).filteredOn(c -> c.aimedAt.equals("n3")).hasSize(3);
    members.remove("n3");
    leader.set("n2");
    clients.next();
    await().atMost(Duration.ofSeconds(5)).until(() -> created.stream()
        .filter(c -> c.aimedAt.equals("n3")).allMatch(c -> c.closed));
    runBackground();
    assertThat(created).as("no spare is made for a former member").filteredOn(c -> c.aimedAt.equals("n3"))
        .hasSize(3);
    clients.close();
    assertThat(created).allMatch(c -> c.closed);
  }

  private void runBackground() {
    List<Runnable> tasks = List.copyOf(background);
    background.clear();
    tasks.forEach(Runnable::run);
  }

  @Test
  void proposalsGoToClientsAimedAtTheLeaderThisNodeKnowsOfAndFollowAnElection() {
    leader.set("n1");
    assertThat(clients.next().client().aimedAt).isEqualTo("n1");

    leader.set("n3");
    LeaderClients.Lease<FakeClient> afterElection = clients.next();
    assertThat(afterElection.client().aimedAt).isEqualTo("n3");
    assertThat(afterElection.leader()).isEqualTo("n3");
    // The former leader's clients stay open: they may still carry proposals sent before the election.
    assertThat(created).filteredOn(c -> c.aimedAt.equals("n1")).noneMatch(c -> c.closed);
  }

  @Test
  void duringAnElectionTheLastKnownLeaderIsUsedAndBeforeAnyTheNodeItself() {
    assertThat(clients.next().client().aimedAt).as("no leader known yet").isEqualTo("n2");
    leader.set("n3");
    clients.next();
    leader.set(null);
    assertThat(clients.next().client().aimedAt).isEqualTo("n3");
    leader.set("");
    assertThat(clients.next().client().aimedAt).isEqualTo("n3");
  }

  /** An ordered client still holding a proposal from the node's earlier stint would make new ones wait for it. */
  @Test
  void aNodeThatLeadsAgainGetsFreshClientsAndItsOldOnesAreClosed() {
    leader.set("n1");
    FakeClient firstStint = clients.next().client();
    leader.set("n3");
    clients.next();
    leader.set("n1");
    FakeClient secondStint = clients.next().client();
    assertThat(secondStint).isNotSameAs(firstStint);
    await().atMost(Duration.ofSeconds(5)).until(() -> firstStint.closed);
    assertThat(clients.next().client().closed).isFalse();
  }

  @Test
  void proposalsSpreadOverTheLeadersClientsInTurn() {
    leader.set("n1");
    clients.next();
    runBackground();
    Set<FakeClient> used = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      used.add(clients.next().client());
    }
    assertThat(used).hasSize(3).allMatch(c -> c.aimedAt.equals("n1"));
  }

  @Test
  void aClosedClientIsReplacedOnceAndOnlyInItsOwnSlot() {
    leader.set("n1");
    clients.next();
    runBackground();
    LeaderClients.Lease<FakeClient> broken = clients.next();
    int before = created.size();
    clients.replace(broken);
    clients.replace(broken);  // a second failure of the same client: already replaced
    await().atMost(Duration.ofSeconds(5)).until(() -> broken.client().closed);
    List<FakeClient> inUse = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      inUse.add(clients.next().client());
    }
    assertThat(inUse).as("the empty slot lends another client until it is made again")
        .doesNotContain(broken.client()).allMatch(c -> !c.closed && c.aimedAt.equals("n1"));
    assertThat(created).as("nothing made while the writes waited").hasSize(before);
    runBackground();
    assertThat(created).as("one replacement, made in the background").hasSize(before + 1);
    inUse.clear();
    for (int i = 0; i < 3; i++) {
      inUse.add(clients.next().client());
    }
    assertThat(inUse).hasSize(3).doesNotHaveDuplicates().contains(created.get(before));
  }

  @Test
  void clientsAimedAtANodeThatLeftTheClusterAreClosedAtTheNextLeaderChange() {
    leader.set("n1");
    FakeClient toFormerMember = clients.next().client();
    n1LeavesAndN4Leads();
    clients.next();
    await().atMost(Duration.ofSeconds(5)).until(() -> toFormerMember.closed);
    assertThat(clients.leaderCount()).isEqualTo(1);
  }

  /**
   * Closing a Ratis client fails its pending requests on another thread and waits for it; their
   * callbacks hand the client back ({@code replace}). Closing under the lock deadlocked every write.
   */
  @Test
  void closingAClientWhosePendingRequestsHandItBackDoesNotDeadlock() {
    leader.set("n1");
    LeaderClients.Lease<FakeClient> inFlight = clients.next();
    created.forEach(c -> c.onClose = () -> clients.replace(inFlight));
    n1LeavesAndN4Leads();
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThat(clients.next().client().aimedAt).isEqualTo("n4");
      clients.close();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight.client().closed);
  }

  private void n1LeavesAndN4Leads() {
    members.remove("n1");
    members.add("n4");
    leader.set("n4");
  }

  @Test
  void anUnreadableConfigurationClosesNothing() {
    leader.set("n1");
    FakeClient first = clients.next().client();
    members.clear();
    leader.set("n3");
    clients.next();
    assertThat(first.closed).isFalse();
    assertThat(clients.leaderCount()).isEqualTo(2);
  }

  @Test
  void closingClosesEveryClientAndRefusesFurtherProposals() {
    leader.set("n1");
    clients.next();
    leader.set("n3");
    clients.next();
    runBackground();
    clients.close();
    assertThat(created).as("a client for n1, n3's set, and the spares for n1 and n2").hasSize(10)
        .allMatch(c -> c.closed);
    assertThatThrownBy(clients::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopping");
  }
}
