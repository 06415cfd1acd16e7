package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.Command;
import dev.redraft.client.BatchRolledBackException;
import dev.redraft.client.ClusterUnavailableException;
import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.RedraftRpcException;
import dev.redraft.client.Replies;
import dev.redraft.client.Watch;
import dev.redraft.client.WriteResult;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.shard.SlotMap;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Batches across Raft groups (issue 16) on a cluster of 3 nodes x 3 groups: all or nothing (a failing
 * command or a changed watched key in one group leaves every group unchanged), the bank-transfer
 * invariant under concurrent conflicting transfers through every node (every audit, itself a batch
 * across groups, sees the same total), nothing left locked, every replica of every group identical,
 * and a coordinator that stops after PREPARE (abort) or after its commit decision (commit) has its
 * transaction finished by recovery.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrossGroupTransactionsTest {
  private static final int NODES = 3;
  private static final int GROUPS = 3;
  private static final int ACCOUNTS = 6;
  private static final long OPENING_BALANCE = 100;

  @TempDir
  Path dir;

  @AfterEach
  void noInjectedCrash() {
    CrossGroupWrites.crashPointForTests = null;
  }

  @Test
  void batchesAcrossGroupsAreAllOrNothingAndRecoveredAfterACoordinatorStops() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      SlotMap map = SlotMap.evenSplit(GROUPS);
      awaitLeaders(cluster);
      String a = keyIn(map, 0, "a");
      String b = keyIn(map, 1, "b");
      String c = keyIn(map, 2, "c");
      RedraftClient client = cluster.clientOf(1);

      WriteResult result = client.batch(List.of(Commands.of("SET", a, "1"), Commands.of("INCRBY", b, "5"),
          Commands.of("SET", c, "x"), Commands.of("INCR", a)));
      assertThat(result.replies()).extracting(Replies::asString).containsExactly("OK", "5", "OK", "2");
      assertThat(List.of(client.get(a), client.get(b), client.get(c))).containsExactly("2", "5", "x");

      // A failing command in one group: nothing changes in any group.
      client.batch(List.of(Commands.of("LPUSH", keyIn(map, 2, "list"), "v")));
      assertThatThrownBy(() -> client.batch(List.of(Commands.of("SET", a, "9"), Commands.of("SET", b, "9"),
          Commands.of("INCR", keyIn(map, 2, "list")))))
          .isInstanceOf(BatchRolledBackException.class);
      assertThat(List.of(client.get(a), client.get(b))).containsExactly("2", "5");

      // Watched keys of two groups (read per group), one of them changed: the batch over groups 0 and 2
      // does nothing; unchanged, it runs.
      Watch watch = client.watch(a, b);
      client.set(b, "6");
      assertThat(client.batchIfUnchanged(watch, List.of(Commands.of("SET", a, "w"), Commands.of("SET", c, "w")))
          .watchFailed()).isTrue();
      assertThat(List.of(client.get(a), client.get(c))).containsExactly("2", "x");
      assertThat(client.batchIfUnchanged(client.watch(c, b, a), List.of(Commands.of("SET", a, "w"),
          Commands.of("SET", c, "w"))).watchFailed()).isFalse();
      assertThat(List.of(client.get(a), client.get(c))).containsExactly("w", "w");
      assertThat(client.batchIfUnchanged(client.watch(a, b), List.of(Commands.of("SET", c, "one")))
          .watchFailed()).as("one command under a WATCH of two other groups").isFalse();
      assertThat(client.get(c)).isEqualTo("one");

      // A part that fails its checks (EXPIRE without a number) stops the batch before any group logs it.
      assertThatThrownBy(() -> client.batch(List.of(Commands.of("SET", a, "bad"), Commands.of("EXPIRE", b, "soon"))))
          .isInstanceOf(dev.redraft.client.InvalidRequestException.class);
      assertThat(client.get(a)).isEqualTo("w");
      awaitNothingLocked(cluster);

      // The same over the RESP port: WATCH keys of two groups, MULTI/EXEC over two others.
      try (Jedis resp = new Jedis("127.0.0.1", cluster.respPort(2))) {
        resp.watch(a, b);
        client.set(b, "7");
        redis.clients.jedis.Transaction multi = resp.multi();
        multi.set(a, "r");
        multi.set(c, "r");
        assertThat(multi.exec()).as("EXEC after a watched key changed").isNull();
        resp.watch(a, b);
        multi = resp.multi();
        multi.set(a, "r");
        multi.set(c, "r");
        assertThat(multi.exec()).containsExactly("OK", "OK");
        assertThat(List.of(resp.get(a), resp.get(c))).containsExactly("r", "r");
      }

      bankTransfersKeepTheTotal(cluster, map, "", committed -> awaitCommitted(committed, 100), false);
      recoveryFinishesWhatAStoppedCoordinatorLeft(cluster, map);

      awaitNothingLocked(cluster);
      cluster.awaitEqualReplicas(List.of(0, 1, 2));
    }
  }

  /**
   * Transfers go on while the node leading group 0 (the home of most transactions, and the coordinator of
   * a third of them) stops and starts again, then another: the total never changes, and whatever the
   * stopped coordinators left prepared is finished by recovery.
   */
  @Test
  void transfersKeepTheTotalWhileNodesStopAndStart() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      SlotMap map = SlotMap.evenSplit(GROUPS);
      awaitLeaders(cluster);
      bankTransfersKeepTheTotal(cluster, map, "k", committed -> {
        awaitCommitted(committed, 20);
        for (int node : new int[] {0, 1}) {
          int stopped = node;
          cluster.stopNode(stopped);
          int other = (stopped + 2) % NODES;
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int g = 0; g < GROUPS; g++) {
              assertThat(cluster.node(other).raft(g).status().leaderId()).as("leader of group %d", g)
                  .isNotEmpty().isNotEqualTo(TestCluster.id(stopped));
            }
          });
          awaitCommitted(committed, committed.get() + 20);
          try {
            cluster.restartNode(stopped);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int g = 0; g < GROUPS; g++) {
              assertThat(cluster.node(stopped).raft(g).status().leaderId()).as("group %d's leader, as the restarted"
                  + " node sees it", g).isNotEmpty();
            }
          });
          awaitCommitted(committed, committed.get() + 20);
        }
      }, true);
      awaitNothingLocked(cluster);
      cluster.awaitEqualReplicas(List.of(0, 1, 2));
    }
  }

  /** Every group led by its preferred node (so no hand-over makes a call retry during the checks). */
  private static void awaitLeaders(TestCluster cluster) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (int g = 0; g < GROUPS; g++) {
        assertThat(cluster.node(0).raft(g).status().leaderId()).as("leader of group %d", g)
            .isEqualTo(TestCluster.id(g % NODES));
      }
    });
  }

  /** Waits until at least {@code count} transfers committed (while nodes stop too: bounded generously). */
  private static void awaitCommitted(AtomicInteger committed, int count) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> committed.get() >= count);
  }

  /**
   * Writers transfer between accounts spread over every group while an auditor reads them all in one
   * batch across groups; {@code during} runs meanwhile. With {@code faults}, calls may also fail as
   * unavailable or with an unknown outcome (a node stopped): the total holds whatever their outcome.
   */
  private void bankTransfersKeepTheTotal(TestCluster cluster, SlotMap map, String prefix,
      java.util.function.Consumer<AtomicInteger> during, boolean faults) throws Exception {
    List<String> accounts = new ArrayList<>();
    List<Command> opening = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      accounts.add(keyIn(map, i % GROUPS, prefix + "account" + i));
      opening.add(Commands.of("SET", accounts.get(i), Long.toString(OPENING_BALANCE)));
    }
    cluster.client().batch(opening);
    long total = OPENING_BALANCE * ACCOUNTS;

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger aborted = new AtomicInteger();
    AtomicInteger audits = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      RedraftClient client = faults ? cluster.client() : cluster.clientOf(w % NODES);
      threads.add(new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get() && failure.get() == null) {
          int from = random.nextInt(ACCOUNTS);
          int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
          String amount = Integer.toString(1 + random.nextInt(20));
          try {
            client.batch(List.of(Commands.of("DECRBY", accounts.get(from), amount),
                Commands.of("INCRBY", accounts.get(to), amount)));
            committed.incrementAndGet();
          } catch (RuntimeException e) {
            if (!expected(e, faults)) {
              failure.compareAndSet(null, e);
            }
            aborted.incrementAndGet(); // a conflict (nothing applied), or with faults an unknown outcome
          }
        }
      }, "transfers-" + w));
    }
    RedraftClient auditor = faults ? cluster.client() : cluster.clientOf(2);
    threads.add(new Thread(() -> {
      while (!stop.get() && failure.get() == null) {
        List<Command> reads = new ArrayList<>();
        accounts.forEach(account -> reads.add(Commands.of("GET", account)));
        try {
          long sum = 0;
          for (var reply : auditor.batch(reads).replies()) {
            sum += Long.parseLong(Replies.asString(reply));
          }
          if (sum != total) {
            failure.compareAndSet(null, new AssertionError("an audit saw a total of " + sum + ", not " + total));
          }
          audits.incrementAndGet();
        } catch (RuntimeException e) {
          if (!expected(e, faults)) {
            failure.compareAndSet(null, e);
          }
        }
      }
    }, "audits"));
    threads.forEach(Thread::start);
    try {
      during.accept(committed);
    } finally {
      stop.set(true);
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    System.out.printf("bank transfers across groups%s: %d committed, %d aborted or failed, %d audits%n",
        faults ? " while nodes stop" : "", committed.get(), aborted.get(), audits.get());
    assertThat(failure.get()).as("no audit saw another total, no unexpected error").isNull();
    assertThat(committed.get()).as("transfers committed (%d aborted on conflicts)", aborted.get()).isGreaterThan(20);
    assertThat(audits.get()).as("audits done").isPositive();
    long sum = 0;
    for (String account : accounts) {
      sum += Long.parseLong(cluster.client().get(account));
    }
    assertThat(sum).as("the total after %d transfers", committed.get()).isEqualTo(total);
  }

  /** A conflict's abort; with faults, also a node's absence (unavailable, or an outcome not known). */
  private static boolean expected(RuntimeException e, boolean faults) {
    if (e instanceof RedraftRpcException rpc && rpc.code() == Status.Code.ABORTED) {
      return true;
    }
    return faults && (e instanceof ClusterUnavailableException || (e instanceof RedraftRpcException rpc
        && rpc.code() != Status.Code.INTERNAL && rpc.code() != Status.Code.INVALID_ARGUMENT));
  }

  private void recoveryFinishesWhatAStoppedCoordinatorLeft(TestCluster cluster, SlotMap map) {
    RedraftClient client = cluster.clientOf(0);
    String x = keyIn(map, 0, "x");
    String y = keyIn(map, 2, "y");
    client.batch(List.of(Commands.of("SET", x, "before"), Commands.of("SET", y, "before")));

    CrossGroupWrites.crashPointForTests = CrossGroupWrites.CrashPoint.AFTER_PREPARE;
    assertThatThrownBy(() -> client.batch(List.of(Commands.of("SET", x, "prepared"), Commands.of("SET", y, "prepared"))))
        .hasMessageContaining("test fault");
    CrossGroupWrites.crashPointForTests = null;
    assertThat(locks(cluster, 0) + locks(cluster, 2)).as("the stopped transaction holds its keys").isPositive();
    // Reads wait for the lock, then see the transaction undone by recovery (no decision: abort).
    awaitNothingLocked(cluster);
    assertThat(List.of(client.get(x), client.get(y))).containsExactly("before", "before");

    CrossGroupWrites.crashPointForTests = CrossGroupWrites.CrashPoint.AFTER_DECIDE;
    assertThatThrownBy(() -> client.batch(List.of(Commands.of("SET", x, "decided"), Commands.of("SET", y, "decided"))))
        .hasMessageContaining("test fault");
    CrossGroupWrites.crashPointForTests = null;
    awaitNothingLocked(cluster);
    assertThat(List.of(client.get(x), client.get(y))).as("the commit decision stands").containsExactly("decided", "decided");
  }

  private static void awaitNothingLocked(TestCluster cluster) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (int g = 0; g < GROUPS; g++) {
        assertThat(locks(cluster, g)).as("keys locked in group %d", g).isZero();
      }
    });
  }

  /** Keys locked in group {@code group}, summed over its replicas. */
  private static long locks(TestCluster cluster, int group) {
    long locked = 0;
    for (int n = 0; n < NODES; n++) {
      try (Jedis jedis = cluster.redis(n, group).jedis()) {
        locked += jedis.hlen(RedisApplier.TX_LOCKS_KEY) + jedis.hlen(RedisApplier.TX_PREPARED_KEY);
      }
    }
    return locked;
  }

  private static String keyIn(SlotMap map, int group, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + ":" + i;
      if (map.groupOfKey(key.getBytes(StandardCharsets.UTF_8)) == group) {
        return key;
      }
    }
  }
}
