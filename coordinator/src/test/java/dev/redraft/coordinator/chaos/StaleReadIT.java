package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.RetryPolicy;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.Poll;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import dev.redraft.coordinator.chaos.history.History;
import dev.redraft.coordinator.chaos.history.LinearizabilityChecker;
import dev.redraft.coordinator.chaos.history.Model;
import dev.redraft.coordinator.chaos.history.Operation;
import dev.redraft.coordinator.chaos.history.Operation.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RedisRaft/Jepsen: "stale reads from a deposed leader". The leader is cut off from the other
 * nodes while readers keep asking it (clients still reach it) and a writer writes through the
 * majority, which elects a new leader. The deposed leader was given long election timeouts and
 * made the leader by a leadership transfer, so it keeps believing it leads for several seconds: with Ratis' LINEARIZABLE (ReadIndex) reads it
 * must not answer from its stale state; with Ratis' DEFAULT read option it does, and the checker
 * must say so (the harness self-test: a checker or a scenario that cannot see stale reads fails it).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StaleReadIT {
  private static final String KEY = "stale:k";
  /** The writer's per-write timeout, and the bound on the first write acknowledged by a new leader. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration WRITE_FAILOVER_BOUND = Duration.ofSeconds(6);

  @BeforeEach
  void requirements() {
    Requirements.assumeMultiProcessCluster();
  }

  /**
   * Regression for a real bug this test found (2026-11-28): a node that still believed it led term 1
   * served 5465 LINEARIZABLE reads of a stale value for 8.5 s while another node led term 2. Cause:
   * Ratis 3.3.0 answers a ReadIndex without new heartbeats when an earlier round acknowledged that
   * commit index, and a deposed leader's commit index stops moving. Fixed by confirming leadership
   * after every ReadIndex (api.LeadershipConfirmation).
   */
  @Test
  void aDeposedLeaderServesNoStaleLinearizableRead() throws Exception {
    Path dir = RunDirs.create("stale-read-linearizable");
    LinearizabilityChecker.Result result = runScenario(dir, false);
    assertThat(result.verdict()).as("%s; files in %s", result.summary(), dir)
        .isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
    RunDirs.prune(dir);
  }

  @Test
  void harnessSelfTestTheSameScenarioWithRatisDefaultReadsIsFlaggedAsStale() throws Exception {
    Path dir = RunDirs.create("stale-read-selftest-default");
    LinearizabilityChecker.Result result = runScenario(dir, true);
    assertThat(result.verdict()).as("with unsafe-read-option-default=true the deposed leader must serve stale "
        + "reads and the checker must flag them; got %s; files in %s", result.summary(), dir)
        .isEqualTo(LinearizabilityChecker.Verdict.NOT_LINEARIZABLE);
    RunDirs.prune(dir);
  }

  private LinearizabilityChecker.Result runScenario(Path dir, boolean unsafeDefaultReads) throws Exception {
    // n1 gets long election timeouts and is made the leader: once it is cut off, the others (short
    // timeouts) elect a new leader long before n1 notices it lost the majority and steps down.
    int oldLeader = 0;
    ChaosCluster.Options options = new ChaosCluster.Options().electionTimeoutMs(1000, 2000)
        .flags(oldLeader, "--election-timeout-min-ms=5000", "--election-timeout-max-ms=10000");
    if (unsafeDefaultReads) {
      for (int i = 0; i < 3; i++) {
        options.flags(i, "--unsafe-read-option-default=true");
      }
    }
    History history = new History();
    try (ChaosCluster cluster = ChaosCluster.start(dir, options)) {
      int leader = oldLeader;
      List<String> followerEndpoints = new ArrayList<>();
      List<Integer> followers = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        if (i != leader) {
          followers.add(i);
          followerEndpoints.add(cluster.node(i).apiAddress());
        }
      }
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      // The writer goes through the followers, so it reaches whichever node leads the majority.
      threads.add(loop("writer", running, deadline, () -> RedraftClient.builder().endpoints(followerEndpoints)
          .requestTimeout(WRITE_TIMEOUT).build(), (client, n) -> {
            String value = "w" + n;
            long id = history.nextId();
            long invoke = System.nanoTime();
            Outcome outcome;
            try {
              client.set(KEY, value);
              outcome = Outcome.OK;
            } catch (RuntimeException e) {
              outcome = Outcome.UNKNOWN;
            }
            history.add(Operation.write(id, 0, KEY, value, invoke, System.nanoTime(), outcome));
          }));
      // Readers ask n1 (the leader soon, then deposed) only, one attempt per read.
      String leaderEndpoint = cluster.node(leader).apiAddress();
      for (int r = 1; r <= 3; r++) {
        int reader = r;
        threads.add(loop("reader-" + r, running, deadline, () -> RedraftClient.builder().endpoints(leaderEndpoint)
            .retryPolicy(RetryPolicy.noRetries()).requestTimeout(Duration.ofSeconds(2)).build(), (client, n) -> {
              long id = history.nextId();
              long invoke = System.nanoTime();
              try {
                String value = client.get(KEY);
                history.add(Operation.read(id, reader, KEY, value, invoke, System.nanoTime(), Outcome.OK));
              } catch (RuntimeException e) {
                history.add(Operation.read(id, reader, KEY, null, invoke, System.nanoTime(), Outcome.FAIL));
              }
            }));
      }
      // The workload runs before the transfer: n1's heartbeats are slow (its timeouts are long), and the
      // steady stream of writes is what keeps the short-timeout followers from starting an election.
      threads.forEach(Thread::start);
      awaitOperations(history, 100);
      makeLeader(cluster, leader);
      awaitOperations(history, history.operations().size() + 300);
      assertThat(cluster.leader()).as("the long-timeout node still leads\n%s", cluster.describe()).contains(leader);

      cluster.network().isolate(leader);
      long isolated = System.nanoTime();
      int newLeader = Poll.until("a new leader among the majority", Duration.ofSeconds(60), () -> followers.stream()
          .filter(f -> cluster.node(f).status().map(s -> s.getRole().equals("LEADER")).orElse(false)).findFirst());
      long elected = System.nanoTime();
      // A write acknowledged by the new leader: from then on, the old value is stale. It must come soon:
      // the deposed leader steps down ~10 s (its longest election timeout) after it was cut off, and
      // writes that waited on it for a client timeout each before they found the new leader once left
      // no write acknowledged in that window (a real failover gap this bound now guards).
      Operation firstWrite = Poll.until("a write acknowledged by the new leader within " + WRITE_FAILOVER_BOUND.toSeconds()
          + " s of its election", WRITE_FAILOVER_BOUND, () -> history.operations().stream()
          .filter(op -> op.kind() == Operation.Kind.WRITE && op.outcome() == Outcome.OK && op.invokeNanos() > elected)
          .findFirst());
      System.out.printf("leader %s isolated; %s elected after %d ms; first write acknowledged %d ms after that%n",
          cluster.node(leader).name(), cluster.node(newLeader).name(), (elected - isolated) / 1_000_000,
          (firstWrite.returnNanos() - elected) / 1_000_000);
      // Keep reading from the old leader until it has stepped down (or 20 s).
      Poll.until("the old leader stepping down", Duration.ofSeconds(30), () -> cluster.node(leader).status()
          .filter(s -> !s.getRole().equals("LEADER")).map(s -> true));
      cluster.network().healAll();
      running.set(false);
      for (Thread thread : threads) {
        thread.join(30_000);
      }
      history.save(dir.resolve("history.jsonl"));
      long staleCandidates = history.operations().stream()
          .filter(op -> op.kind() == Operation.Kind.READ && op.outcome() == Outcome.OK && op.invokeNanos() > elected)
          .count();
      System.out.println("reads answered by the old leader after the new one was elected: " + staleCandidates);
      LinearizabilityChecker.Result result = LinearizabilityChecker.check(history.operations(), k -> Model.REGISTER,
          Duration.ofSeconds(60));
      System.out.println(result.summary());
      return result;
    }
  }

  /** Transfers leadership to {@code node} through the admin API and waits until it leads. */
  private static void makeLeader(ChaosCluster cluster, int node) {
    String id = cluster.node(node).nodeId();
    try (RedraftClient admin = RedraftClient.builder().endpoints(cluster.endpoints())
        .requestTimeout(Duration.ofSeconds(60)).build()) {
      Poll.until(id + " leading after a leadership transfer", Duration.ofSeconds(120), () -> {
        if (cluster.leader().equals(Optional.of(node))) {
          return Optional.of(true);
        }
        try {
          admin.admin().transferLeadership(id);
        } catch (RuntimeException retry) {
          System.out.println("leadership transfer to " + id + " not done yet: " + retry.getMessage());
        }
        return Optional.empty();
      });
    }
  }

  private interface Step {
    void run(RedraftClient client, long n);
  }

  private static Thread loop(String name, AtomicBoolean running, long deadline,
                             java.util.function.Supplier<RedraftClient> clients, Step step) {
    Thread thread = new Thread(() -> {
      try (RedraftClient client = clients.get()) {
        for (long n = 0; running.get() && System.nanoTime() < deadline && n < 1_000_000; n++) {
          step.run(client, n);
        }
      }
    }, "stale-read-" + name);
    thread.setDaemon(true);
    return thread;
  }

  private static void awaitOperations(History history, int count) {
    Poll.until(count + " operations", Duration.ofSeconds(120),
        () -> history.operations().size() >= count ? Optional.of(true) : Optional.empty());
  }
}
