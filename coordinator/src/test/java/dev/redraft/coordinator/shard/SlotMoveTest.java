package dev.redraft.coordinator.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.KeySlot;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.RedraftRpcException;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Online slot moves (issue 16) on 3 nodes x 2 groups, while clients keep writing counters through every
 * node (gRPC and the RESP port) and reading them linearizably: every acknowledged increment is kept and
 * none is applied twice (a counter ends between its acknowledged and its attempted increments), a read
 * never sees a counter go back (no key readable in two places with different values), the map names the
 * target, keys live only in the group that owns their slot, and every replica of every group is
 * identical. The same while the node leading the source group and group 0 (which drives the move) stops
 * and starts again in the middle of a move: the move resumes by itself.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlotMoveTest {
  private static final int NODES = 3;
  private static final int GROUPS = 2;
  private static final int COUNTERS = 64;
  /** A quarter of the slots: group 0's first half. */
  private static final SlotRange MOVED = SlotRange.newBuilder().setFirst(0).setLast(4095).build();

  @TempDir
  Path dir;

  @Test
  void slotsMoveAndMoveBackWhileClientsWrite() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      RedraftClient admin = cluster.client();
      assertThatThrownBy(() -> admin.admin().moveSlots(List.of(SlotRange.newBuilder().setFirst(4000).setLast(9000)
          .build()), 1)).hasMessageContaining("belong to groups 0 and 1");
      assertThatThrownBy(() -> admin.admin().moveSlots(List.of(MOVED), 2)).hasMessageContaining("does not exist");

      // A write applied before the move whose reply the client never got: its retry after the move, through a
      // node that routes it to the new group, must find its answer there (the sessions move with the slots).
      String retried = keyInSlots("retried", 0, 4095);
      WriteRequest first = Grpc.write("retrier@" + System.currentTimeMillis(), 7, Grpc.command("INCR", retried));
      try (Grpc viaNode0 = cluster.grpc(0)) {
        assertThat(viaNode0.kv().write(first).getDuplicate()).isFalse();
      }

      try (Load load = new Load(cluster, "a")) {
        load.awaitMoreAcknowledged(50);
        MoveSlotsResponse there = admin.admin().moveSlots(List.of(MOVED), 1);
        assertThat(there.getSourceGroup()).isZero();
        assertThat(there.getSlotCount()).isEqualTo(4096);
        assertThat(there.getMapVersion()).isEqualTo(1);
        load.awaitMoreAcknowledged(50);
        assertLayout(admin, List.of(range(4096, 8191)), List.of(range(0, 4095), range(8192, 16383)));
        try (Grpc viaNode2 = cluster.grpc(2)) {
          WriteResponse retry = viaNode2.kv().write(first);
          assertThat(retry.getDuplicate()).as("the retry is answered from the session, not applied again").isTrue();
          assertThat(retry.getReplies(0).getInteger()).isEqualTo(1);
        }
        assertThat(admin.get(retried)).isEqualTo("1");
        assertThat(admin.admin().moveSlots(List.of(MOVED), 1).getTargetGroup()).as("asked again: moved already")
            .isEqualTo(1);
        MoveSlotsResponse back = admin.admin().moveSlots(List.of(MOVED), 0);
        assertThat(back.getSourceGroup()).isEqualTo(1);
        assertThat(back.getMapVersion()).isEqualTo(2);
        load.awaitMoreAcknowledged(50);
        load.stopAndCheck();
      }
      assertLayout(admin, List.of(range(0, 8191)), List.of(range(8192, 16383)));
      assertKeysOnlyWhereTheirSlotsAre(cluster, SlotMap.evenSplit(GROUPS));
      cluster.awaitEqualReplicas(List.of(0, 1, 2));
    }
  }

  @Test
  void aMoveResumesAfterTheNodeDrivingItStops() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      awaitLeaderOfGroupZero(cluster, 0);
      // Enough keys in the moved slots that the copy is still going when the node stops.
      RedraftClient writer = cluster.client();
      for (int batch = 0; batch < 20; batch++) {
        List<Command> sets = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
          sets.add(Commands.of("SET", keyInSlots("filler" + batch + ":" + i, 0, 4095), "v".repeat(200)));
        }
        writer.batch(sets); // keys of slots 0-4095: one group, one entry
      }
      try (Load load = new Load(cluster, "b")) {
        RedraftClient admin = cluster.clientOf(1, 2);
        // Asked again while the node that drove it is down: asking again waits for the resumed move.
        CompletableFuture<MoveSlotsResponse> move = CompletableFuture.supplyAsync(() ->
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.admin().moveSlots(List.of(MOVED), 1), response -> true));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
          try (Jedis groupZero = cluster.redis(1, 0).jedis()) {
            return move.isDone() || groupZero.exists("__redraft:slot-moves");
          }
        });
        cluster.stopNode(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          String leader = cluster.node(1).raft(0).status().leaderId();
          return !leader.isEmpty() && !leader.equals(TestCluster.id(0));
        });
        cluster.restartNode(0);
        assertThat(move.get(90, TimeUnit.SECONDS).getMapVersion()).isEqualTo(1);
        load.awaitMoreAcknowledged(50);
        load.stopAndCheck();
      }
      assertLayout(cluster.client(), List.of(range(4096, 8191)), List.of(range(0, 4095), range(8192, 16383)));
      assertKeysOnlyWhereTheirSlotsAre(cluster, SlotMap.evenSplit(GROUPS).withMoved(slots(0, 4095, 1), 1));
      cluster.awaitEqualReplicas(List.of(0, 1, 2));
    }
  }

  @Test
  void aGroupAddedToARunningClusterTakesItsShareOfTheSlotsWhileClientsWrite() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      RedraftClient admin = cluster.client();
      Map<String, String> before = new LinkedHashMap<>();
      for (int i = 0; i < 200; i++) {
        before.put("before:" + i, "v" + i);
        admin.set("before:" + i, "v" + i);
      }
      try (Load load = new Load(cluster, "c")) {
        load.awaitMoreAcknowledged(50);
        // As an operator adds a group: every node in turn restarted with a Redis for it.
        for (int n = 0; n < NODES; n++) {
          cluster.restartNodeWithGroups(n, GROUPS + 1);
          awaitCaughtUp(cluster, n, GROUPS);
          load.awaitMoreAcknowledged(20);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
            !cluster.node(0).raft(GROUPS).status().leaderId().isEmpty());
        List<GroupSlots> grown = admin.admin().clusterSlots().getGroupsList();
        assertThat(grown).hasSize(GROUPS + 1);
        assertThat(grown.get(GROUPS).getSlotsList()).as("an added group owns no slot yet").isEmpty();
        assertThat(grown.get(0).getSlotsList()).containsExactly(range(0, 8191));

        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        dev.redraft.client.cli.CliContext cli = new dev.redraft.client.cli.CliContext(
            Map.of("REDRAFT_ENDPOINTS", String.join(",", cluster.endpoints())), dir,
            (endpoints, timeout, credentials) -> RedraftClient.builder().endpoints(endpoints).requestTimeout(timeout)
                .build(),
            new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertThat(dev.redraft.client.cli.RedraftCli.run(cli, "slots", "balance", "--max-slots-per-move", "2048"))
            .as(err.toString()).isZero();
        assertThat(out.toString()).contains("moving 5461 slots in 4 moves", "to group 2: move");
        load.awaitMoreAcknowledged(50);
        load.stopAndCheck();
      }
      List<GroupSlots> balanced = admin.admin().clusterSlots().getGroupsList();
      assertThat(balanced).extracting(group -> group.getSlotsList().stream()
          .mapToInt(r -> r.getLast() - r.getFirst() + 1).sum()).containsExactly(5462, 5461, 5461);
      assertThat(balanced.get(GROUPS).getSlotsList()).containsExactly(range(5462, 8191), range(13653, 16383));
      Map<Integer, Integer> moved = new java.util.HashMap<>(slots(5462, 8191, GROUPS));
      moved.putAll(slots(13653, 16383, GROUPS));
      assertKeysOnlyWhereTheirSlotsAre(cluster, SlotMap.evenSplit(GROUPS, GROUPS + 1).withMoved(moved, 4));
      before.forEach((key, value) -> assertThat(admin.get(key)).as(key).isEqualTo(value));
      try (Jedis added = cluster.redis(1, GROUPS).jedis()) {
        assertThat(added.keys("before:*")).as("keys now in the added group").isNotEmpty();
      }
      // A snapshot of one node's replica of the added group (its log is far shorter than group 0's).
      long snapshot = admin.admin().takeSnapshot(TestCluster.id(1), GROUPS).getSnapshotIndex();
      assertThat(snapshot).isPositive().isLessThanOrEqualTo(cluster.node(1).raft(GROUPS).status().appliedIndex());
      assertThatThrownBy(() -> admin.admin().takeSnapshot("", 7)).hasMessageContaining("has no Raft group 7");
      cluster.awaitEqualReplicas(List.of(0, 1, 2));

      // A node that joins now has 3 groups but must split the slots over 2: it learns that from group 0's log.
      try (Jedis groupZero = cluster.redis(0, 0).jedis()) {
        assertThat(groupZero.get("__redraft:slot-split")).isEqualTo(Integer.toString(GROUPS));
      }
      int joined = cluster.addNode(false);
      Path splitFile = dir.resolve(TestCluster.id(joined)).resolve("data").resolve("groups");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
          assertThat(java.nio.file.Files.readString(splitFile).trim()).isEqualTo(Integer.toString(GROUPS)));
      try (Jedis viaJoined = new Jedis("127.0.0.1", cluster.respPort(joined), 20_000)) {
        before.forEach((key, value) -> assertThat(viaJoined.get(key)).as(key).isEqualTo(value));
        viaJoined.set("after-join", "x");
      }
      assertThat(admin.get("after-join")).isEqualTo("x");
      cluster.awaitEqualReplicas(List.of(0, 1, 2, joined));

      // A node whose own record of the split disagrees with group 0's log routes no key (one of them is wrong).
      Path n3Split = dir.resolve(TestCluster.id(2)).resolve("data").resolve("groups");
      cluster.stopNode(2);
      java.nio.file.Files.writeString(n3Split, "3\n");
      cluster.restartNode(2);
      try (Jedis viaWrong = new Jedis("127.0.0.1", cluster.respPort(2), 20_000)) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThatThrownBy(() -> viaWrong.get("before:1")).hasMessageContaining("disagrees with group 0's log (2)"));
      }
      cluster.stopNode(2);
      java.nio.file.Files.writeString(n3Split, "2\n");
      cluster.restartNode(2);
      try (Jedis viaMended = new Jedis("127.0.0.1", cluster.respPort(2), 20_000)) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
            assertThat(viaMended.get("before:1")).isEqualTo("v1"));
      }
    }
  }

  /** Node {@code node}'s replicas of groups 0..groups-1 know their leader and applied what it committed. */
  private static void awaitCaughtUp(TestCluster cluster, int node, int groups) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      for (int g = 0; g < groups; g++) {
        var status = cluster.node(node).raft(g).status();
        if (status.leaderId().isEmpty() || status.appliedIndex() < status.commitIndex()) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * Counters incremented from four gRPC clients (one per node, one over all) and one RESP connection,
   * and read linearizably by another client: checked when stopped.
   */
  private static final class Load implements AutoCloseable {
    private final TestCluster cluster;
    private final String prefix;
    private final AtomicLongArray acknowledged = new AtomicLongArray(COUNTERS);
    private final AtomicLongArray attempted = new AtomicLongArray(COUNTERS);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private long failedWrites;
    /** The first kinds of failed writes (writer, exception, message), each with its count: what the check names. */
    private final Map<String, Long> failureKinds = new LinkedHashMap<>();
    private final Object lock = new Object();

    Load(TestCluster cluster, String prefix) {
      this.cluster = cluster;
      this.prefix = prefix;
      for (int w = 0; w <= NODES; w++) {
        RedraftClient client = w == NODES ? cluster.client() : cluster.clientOf(w);
        threads.add(new Thread(() -> writeLoop(counter -> client.command("INCR", counter)), "incr-" + w));
      }
      threads.add(new Thread(() -> {
        // A write to moving slots waits for the move (seconds when its driver stops): Jedis' default 2 s read
        // timeout would break the connection, and a broken Jedis fails every later call at once.
        Jedis[] resp = {null};
        writeLoop(counter -> {
          if (resp[0] == null) {
            try {
              resp[0] = respConnection(); // Jedis connects here
            } catch (JedisConnectionException e) {
              awaitRespPortOpen(); // its node may be restarting: try again once it listens, not in a loop
              throw e;
            }
          }
          try {
            resp[0].incr(counter);
          } catch (JedisConnectionException e) {
            resp[0].close();
            resp[0] = null;
            throw e;
          }
        });
        if (resp[0] != null) {
          resp[0].close();
        }
      }, "incr-resp"));
      RedraftClient reader = cluster.clientOf(1);
      threads.add(new Thread(() -> {
        long[] seen = new long[COUNTERS];
        while (!stop.get() && failure.get() == null) {
          int i = ThreadLocalRandom.current().nextInt(COUNTERS);
          try {
            String value = reader.get(key(i));
            long now = value == null ? 0 : Long.parseLong(value);
            if (now < seen[i]) {
              failure.compareAndSet(null, new AssertionError("counter " + key(i) + " went back from " + seen[i]
                  + " to " + now));
            }
            seen[i] = now;
          } catch (RuntimeException e) {
            // No answer (a node restarting, a leader unconfirmed for a while) is not a wrong answer.
            if (!(e instanceof RedraftRpcException rpc && rpc.code() == Status.Code.UNAVAILABLE)
                && !(e instanceof dev.redraft.client.ClusterUnavailableException)) {
              failure.compareAndSet(null, e);
            }
          }
        }
      }, "reads"));
      threads.forEach(Thread::start);
    }

    /** Until the RESP port accepts a connection again, or this load stops (bounded: 60 s). */
    private void awaitRespPortOpen() {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
        if (stop.get()) {
          return true;
        }
        try (java.net.Socket probe = new java.net.Socket()) {
          probe.connect(new java.net.InetSocketAddress("127.0.0.1", cluster.respPort(2)), 200);
          return true;
        }
      });
    }

    private Jedis respConnection() {
      return new Jedis("127.0.0.1", cluster.respPort(2), (int) Duration.ofSeconds(20).toMillis());
    }

    private void writeLoop(java.util.function.Consumer<String> incr) {
      while (!stop.get() && failure.get() == null) {
        int i = ThreadLocalRandom.current().nextInt(COUNTERS);
        attempted.incrementAndGet(i);
        try {
          incr.accept(key(i));
          acknowledged.incrementAndGet(i);
        } catch (RuntimeException e) {
          synchronized (lock) {
            failedWrites++; // outcome unknown: counted as attempted only
            String kind = Thread.currentThread().getName() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
            if (failureKinds.size() < 10) {
              failureKinds.merge(kind, 1L, Long::sum);
            } else {
              failureKinds.computeIfPresent(kind, (k, n) -> n + 1);
            }
          }
        }
      }
    }

    String key(int i) {
      return prefix + "counter:" + i;
    }

    /** Waits until {@code more} increments beyond those acknowledged now are acknowledged. */
    void awaitMoreAcknowledged(long more) {
      long target = acknowledgedTotal() + more;
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledgedTotal() >= target || failure.get() != null);
    }

    private long acknowledgedTotal() {
      long total = 0;
      for (int i = 0; i < COUNTERS; i++) {
        total += acknowledged.get(i);
      }
      return total;
    }

    void stopAndCheck() throws Exception {
      stop.set(true);
      for (Thread t : threads) {
        t.join(60_000);
      }
      assertThat(failure.get()).as("no read went back, no unexpected error").isNull();
      long total = 0;
      RedraftClient check = cluster.client();
      for (int i = 0; i < COUNTERS; i++) {
        String value = check.get(key(i));
        long now = value == null ? 0 : Long.parseLong(value);
        assertThat(now).as("counter %s: acknowledged increments are kept, none applied twice", key(i))
            .isBetween(acknowledged.get(i), attempted.get(i));
        total += acknowledged.get(i);
      }
      System.out.printf("slot moves under load: %d increments acknowledged, %d failed%n", total, failedWrites);
      assertThat(total).as("increments acknowledged").isGreaterThan(200);
      assertThat(failedWrites).as("writes that failed (they waited for a move too long); first kinds: %s", failureKinds)
          .isLessThan(total / 10);
    }

    @Override
    public void close() {
      stop.set(true);
    }
  }

  private static void assertLayout(RedraftClient client, List<SlotRange> group0, List<SlotRange> group1) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<GroupSlots> groups = client.admin().clusterSlots().getGroupsList();
      assertThat(groups.get(0).getSlotsList()).as("slots of group 0").containsExactlyElementsOf(group0);
      assertThat(groups.get(1).getSlotsList()).as("slots of group 1").containsExactlyElementsOf(group1);
    });
  }

  /** Every key of every replica is in a slot its group owns: no copy left behind, none imported twice. */
  private static void assertKeysOnlyWhereTheirSlotsAre(TestCluster cluster, SlotMap map) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (int n = 0; n < NODES; n++) {
        for (int g = 0; g < map.groups(); g++) {
          try (Jedis jedis = cluster.redis(n, g).jedis()) {
            for (String key : jedis.keys("*")) {
              if (!key.startsWith("__redraft:")) {
                assertThat(map.groupOfKey(key.getBytes(StandardCharsets.UTF_8)))
                    .as("the group of key %s found in group %d's Redis on node %d", key, g, n).isEqualTo(g);
              }
            }
          }
        }
      }
    });
  }

  private static void awaitLeaderOfGroupZero(TestCluster cluster, int node) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(cluster.node(1).raft(0).status().leaderId()).isEqualTo(TestCluster.id(node)));
  }

  private static String keyInSlots(String prefix, int first, int last) {
    for (int i = 0; ; i++) {
      String key = prefix + ":" + i;
      int slot = KeySlot.of(key.getBytes(StandardCharsets.UTF_8));
      if (slot >= first && slot <= last) {
        return key;
      }
    }
  }

  private static java.util.Map<Integer, Integer> slots(int first, int last, int group) {
    java.util.Map<Integer, Integer> out = new java.util.HashMap<>();
    for (int slot = first; slot <= last; slot++) {
      out.put(slot, group);
    }
    return out;
  }

  private static SlotRange range(int first, int last) {
    return SlotRange.newBuilder().setFirst(first).setLast(last).build();
  }
}
