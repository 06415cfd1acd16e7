package dev.redraft.coordinator.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.SlotOwner;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.client.Commands;
import dev.redraft.client.InvalidRequestException;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/**
 * A cluster of 3 nodes x 4 Raft groups (issue 16): every key lands in the group its slot maps to and
 * nowhere else, every replica of every group holds the same data (digests per group at one log
 * position, and the group's own verification round agrees), the groups' leaders are spread over the
 * nodes, and reads and writes work through any node, over gRPC and the RESP port (cluster-aware
 * clients, redis-py's and Jedis', go straight to each group's leader); a command whose keys span groups
 * is refused and changes nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShardedClusterTest {
  private static final int NODES = 3;
  private static final int GROUPS = 4;
  private static final int KEYS = 240;

  @TempDir
  Path dir;

  @Test
  void keysLandInTheirGroupAndEveryReplicaOfEveryGroupAgrees() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(NODES, GROUPS, dir)) {
      SlotMap map = SlotMap.evenSplit(GROUPS);
      awaitLeaderOfEveryGroup(cluster);
      // Leaders spread over the nodes (group g prefers the g-th node in id order), so each leads writes.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        for (int g = 0; g < GROUPS; g++) {
          assertThat(cluster.node(0).raft(g).status().leaderId()).as("leader of group %d", g)
              .isEqualTo(TestCluster.id(g % NODES));
        }
      });

      clusterAwareClientsGoStraightToEachGroupsLeader(cluster, map);
      theClientLibrarySendsEachWriteToItsGroupsLeader(cluster, map);

      // Writes through every node (a node forwards to the owning group's leader), then reads of every
      // key through every node.
      for (int i = 0; i < KEYS; i++) {
        cluster.clientOf(i % NODES).set("key:" + i, "v" + i);
      }
      for (int n = 0; n < NODES; n++) {
        RedraftClient client = cluster.clientOf(n);
        for (int i = 0; i < KEYS; i += 7) {
          assertThat(client.get("key:" + i)).as("key:%d through n%d", i, n + 1).isEqualTo("v" + i);
        }
      }
      int[] perGroup = new int[GROUPS];
      for (int i = 0; i < KEYS; i++) {
        perGroup[map.groupOfKey(("key:" + i).getBytes())]++;
      }
      assertThat(java.util.Arrays.stream(perGroup).min().orElseThrow()).as("the test's keys cover every group").isPositive();

      // A batch inside one slot (hash tag) is atomic in its group; one command whose keys span groups is
      // refused whole (a batch across groups is a transaction: CrossGroupTransactionsTest).
      cluster.client().batch(List.of(Commands.of("SET", "{acct}:a", "1"), Commands.of("SET", "{acct}:b", "2")));
      String other = keyInAnotherGroup(map, "{acct}:a");
      assertThatThrownBy(() -> cluster.client().batch(List.of(Commands.of("MSET", "{acct}:a", "9", other, "9"))))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("CROSSSLOT");
      assertThat(cluster.client().get("{acct}:a")).isEqualTo("1");
      assertThat(cluster.client().get(other)).isNull();

      // The RESP port routes plain clients too.
      try (Jedis resp = new Jedis("127.0.0.1", cluster.respPort(1))) {
        for (int i = 0; i < 40; i++) {
          assertThat(resp.set("resp:" + i, "r" + i)).isEqualTo("OK");
        }
        assertThat(resp.get("resp:17")).isEqualTo("r17");
        assertThatThrownBy(() -> resp.mset("{acct}:a", "x", other, "y")).hasMessageContaining("CROSSSLOT");
        // MULTI/EXEC over two groups: one transaction across groups, all of it applied.
        redis.clients.jedis.Transaction multi = resp.multi();
        multi.set("{acct}:a", "m1");
        multi.incr(other + ":n");
        multi.set(other, "m2");
        assertThat(multi.exec()).containsExactly("OK", 1L, "OK");
        assertThat(List.of(resp.get("{acct}:a"), resp.get(other))).containsExactly("m1", "m2");
      }

      // Each group's members report their status in that group (a group's leader reports LEADER there).
      for (int g = 0; g < GROUPS; g++) {
        ClusterStatusResponse status = cluster.clientOf(1).admin().clusterStatus(g);
        assertThat(status.getMembersList()).as("group %d", g).hasSize(NODES).allMatch(MemberStatus::getReachable);
        String leader = TestCluster.id(g % NODES);
        assertThat(status.getMembersList()).filteredOn(m -> m.getRole().equals("LEADER"))
            .extracting(MemberStatus::getNodeId).as("group %d's leader", g).containsExactly(leader);
      }
      assertThatThrownBy(() -> cluster.client().admin().clusterStatus(GROUPS))
          .hasMessageContaining("has no Raft group " + GROUPS);

      // A membership change names a group that does not exist: refused, nothing changed (the changes
      // themselves: ShardedMembershipTest).
      try (Grpc admin = cluster.grpc(0)) {
        assertThatThrownBy(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("n3")
            .setOneGroup(true).setGroup(GROUPS).build()))
            .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("does not exist");
      }
      assertThat(cluster.node(0).raft(0).status().peers()).hasSize(NODES);

      for (int group = 0; group < GROUPS; group++) {
        int g = group;
        long index = awaitSameAppliedIndex(cluster, g);
        String digest = cluster.digest(0, g);
        for (int n = 0; n < NODES; n++) {
          assertThat(cluster.digest(n, g)).as("group %d digest of n%d at index %d", g, n + 1, index)
              .isEqualTo(digest);
          assertThat(userKeys(cluster, n, g)).as("keys in n%d's Redis of group %d", n + 1, g)
              .allMatch(key -> map.groupOfKey(key.getBytes()) == g)
              .isNotEmpty();
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < KEYS; i++) {
          if (map.groupOfKey(("key:" + i).getBytes()) == g) {
            expected.add("key:" + i);
          }
        }
        assertThat(userKeys(cluster, 0, g)).as("group %d holds all of its keys", g).containsAll(expected);
        try (Grpc admin = cluster.grpc(0)) {
          VerifyResponse verified = admin.admin().verify(VerifyRequest.newBuilder().setGroup(g).build());
          assertThat(verified.getVerdict()).as("verification of group %d", g).isEqualTo("CONSISTENT");
          assertThat(verified.getNodesList()).hasSize(NODES)
              .allMatch(node -> node.getVerdict().equals("MATCH")
                  && node.getDigest().equals(verified.getNodes(0).getDigest()));
        }
      }
    }
  }

  /**
   * The slot layout (admin ClusterSlots, the RESP port's CLUSTER SLOTS) names each group's leader with
   * its addresses, so Python's cluster client, unchanged, sends each key to its group's leader.
   */
  private void clusterAwareClientsGoStraightToEachGroupsLeader(TestCluster cluster, SlotMap map) throws Exception {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      ClusterSlotsResponse layout = cluster.client().admin().clusterSlots();
      assertThat(layout.getGroupsList()).hasSize(GROUPS);
      for (int g = 0; g < GROUPS; g++) {
        GroupSlots group = layout.getGroups(g);
        int leader = g % NODES;
        assertThat(group.getGroup()).isEqualTo(g);
        assertThat(group.getSlotsList()).as("slots of group %d", g).containsExactly(
            SlotRange.newBuilder().setFirst(map.firstSlot(g)).setLast(map.lastSlot(g)).build());
        assertThat(group.getLeaderId()).isEqualTo(TestCluster.id(leader));
        assertThat(group.getMembersList()).hasSize(NODES).allMatch(SlotOwner::getVoter);
        SlotOwner first = group.getMembers(0);
        assertThat(first.getLeader()).as("the leader comes first").isTrue();
        assertThat(first.getNodeId()).isEqualTo(TestCluster.id(leader));
        assertThat(first.getApiAddress()).isEqualTo(cluster.endpoint(leader));
        assertThat(first.getRespAddress()).isEqualTo("127.0.0.1:" + cluster.respPort(leader));
        assertThat(first.getRespClusterAddress()).isEqualTo("127.0.0.1:" + cluster.respClusterPort(leader));
      }
    });
    try (Jedis resp = new Jedis("127.0.0.1", cluster.respPort(1))) {
      List<Object> ranges = resp.clusterSlots();
      assertThat(ranges).hasSize(GROUPS);
      for (int g = 0; g < GROUPS; g++) {
        List<?> range = (List<?>) ranges.get(g);
        assertThat(List.<Object>copyOf(range.subList(0, 2))).containsExactly((long) map.firstSlot(g),
            (long) map.lastSlot(g));
        assertThat(((List<?>) range.get(2)).get(1)).as("CLUSTER SLOTS: the cluster port serving group %d", g)
            .isEqualTo((long) cluster.respClusterPort(g % NODES));
        assertThat(range).as("the group's leader, then its two followers").hasSize(2 + NODES);
      }
      assertThat(resp.clusterInfo()).as("cluster_size: the nodes serving slots").contains("cluster_size:" + NODES).contains("cluster_known_nodes:" + NODES);
      assertThat(resp.clusterNodes().lines()).hasSize(NODES);
    }

    Path script = dir.resolve("python_sharded_cluster_client.py");
    try (var in = ShardedClusterTest.class.getResourceAsStream("python_sharded_cluster_client.py")) {
      Files.copy(in, script);
    }
    Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), Integer.toString(cluster.respPort(0)))
        .redirectErrorStream(true).start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as("python output:%n%s", out).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(40);
    for (String line : lines) {
      String[] keyAndPort = line.split(" ");
      int leader = map.groupOfKey(keyAndPort[0].getBytes(StandardCharsets.UTF_8)) % NODES;
      assertThat(Integer.parseInt(keyAndPort[1])).as("the port Python's cluster client sent %s to", keyAndPort[0])
          .isEqualTo(cluster.respClusterPort(leader));
    }

    aNodeThatDoesNotLeadAKeysGroupAnswersMovedOnItsClusterPort(cluster, map);

    // Jedis' cluster client learns the layout from one node's CLUSTER SLOTS and sends each key to the
    // node serving its slots, each group's leader: no node forwards any of its writes.
    // A leader that moves meanwhile (a hand-over) costs a hop: the whole round is asked again.
    try (RedisClusterClient jedis = RedisClusterClient.create(new HostAndPort("127.0.0.1", cluster.respPort(2)))) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        long forwardedBefore = forwardedProposals(cluster);
        for (int i = 0; i < 40; i++) {
          assertThat(jedis.set("jedis-cluster:" + i, "j" + i)).isEqualTo("OK");
        }
        assertThat(forwardedProposals(cluster) - forwardedBefore)
            .as("writes of Jedis' cluster client forwarded by a node").isZero();
      });
      for (int i = 0; i < 40; i++) {
        assertThat(jedis.get("jedis-cluster:" + i)).isEqualTo("j" + i);
      }
    }
  }

  /**
   * The cluster port answers as a Redis Cluster node: a key of a group another node leads gets -MOVED to
   * that leader's cluster port (a write there applies nothing here), after ASKING or on a READONLY connection
   * the node serves it itself; the node that leads the group serves it; the plain port routes every key.
   */
  private static void aNodeThatDoesNotLeadAKeysGroupAnswersMovedOnItsClusterPort(TestCluster cluster, SlotMap map)
      throws java.io.IOException {
    String key = keyOfGroup(map, 1); // group 1's leader is n2
    int slot = dev.redraft.api.KeySlot.of(key.getBytes(StandardCharsets.UTF_8));
    try (Jedis n1 = new Jedis("127.0.0.1", cluster.respClusterPort(0));
        Jedis n2 = new Jedis("127.0.0.1", cluster.respClusterPort(1));
        Jedis plain = new Jedis("127.0.0.1", cluster.respPort(0))) {
      // Once n1 knows group 1's leader and the addresses it published through the log (a read changes nothing):
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
          assertThatThrownBy(() -> n1.get(key)).hasMessageStartingWith("MOVED"));
      assertThatThrownBy(() -> n1.set(key, "moved")).isInstanceOf(redis.clients.jedis.exceptions.JedisMovedDataException.class)
          .hasMessage("MOVED " + slot + " 127.0.0.1:" + cluster.respClusterPort(1));
      assertThatThrownBy(() -> n1.get(key)).hasMessage("MOVED " + slot + " 127.0.0.1:" + cluster.respClusterPort(1));
      assertThat(n2.set(key, "at-the-leader")).isEqualTo("OK");
      assertThat(plain.get(key)).as("the refused write applied nothing").isEqualTo("at-the-leader");
      assertThat(n1.asking()).isEqualTo("OK");
      assertThat(n1.set(key, "asking")).as("after ASKING the node serves (routes) it").isEqualTo("OK");
      assertThatThrownBy(() -> n1.set(key, "again")).as("ASKING counts for one command").hasMessageStartingWith("MOVED");
      assertThat(plain.set(key, "plain")).as("the plain port routes every key").isEqualTo("OK");
      assertThat(n1.readonly()).isEqualTo("OK");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(n1.get(key)).as("a READONLY read served by this node's replica").isEqualTo("plain"));
      assertThatThrownBy(() -> n1.set(key, "readonly")).as("READONLY changes reads only").hasMessageStartingWith("MOVED");
      String own = keyOfGroup(map, 0); // n1 leads group 0
      assertThat(n1.set(own, "mine")).isEqualTo("OK");
      assertThat(n1.readwrite()).isEqualTo("OK");

      // Pipelined (one write on the socket): the MOVED ends the run of writes before it and is answered in its place.
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cluster.respClusterPort(0))) {
        socket.setSoTimeout(10_000);
        String pipelined = resp("SET", own, "p1") + resp("SET", key, "p2") + resp("GET", own) + resp("INCR", "{" + own + "}:n");
        socket.getOutputStream().write(pipelined.getBytes(StandardCharsets.UTF_8));
        String expected = "+OK\r\n-MOVED " + slot + " 127.0.0.1:" + cluster.respClusterPort(1) + "\r\n$2\r\np1\r\n:1\r\n";
        byte[] replies = socket.getInputStream().readNBytes(expected.length());
        assertThat(new String(replies, StandardCharsets.UTF_8)).isEqualTo(expected);
      }
      assertThat(plain.get(key)).isEqualTo("plain");
    }
  }

  /**
   * The Java client keeps the slot layout too and sends each write straight to its group's leader, so
   * no node forwards any; a request sent to a node that does not lead the key's group (plain gRPC, no
   * layout) is forwarded by that node, one hop.
   */
  private static void theClientLibrarySendsEachWriteToItsGroupsLeader(TestCluster cluster, SlotMap map) {
    try (RedraftClient client = cluster.clientOf(1)) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        long before = forwardedProposals(cluster);
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          writes.add(client.writeAsync(Commands.of("SET", "routed:" + i, "r" + i)));
        }
        writes.forEach(CompletableFuture::join);
        assertThat(forwardedProposals(cluster) - before).as("proposals forwarded by a node").isZero();
      });
      assertThat(client.get("routed:59")).isEqualTo("r59");
    }
    // Group 1's leader is n2: a write of a group-1 key sent to n1 is forwarded there.
    String key = keyOfGroup(map, 1);
    long before = forwardedProposals(cluster);
    try (Grpc n1 = cluster.grpc(0)) {
      assertThat(n1.kv().write(Grpc.write("plain-grpc@" + System.currentTimeMillis(), 1,
          Grpc.command("SET", key, "via-n1"))).getReplies(0).getStatus()).isEqualTo("OK");
    }
    assertThat(forwardedProposals(cluster) - before).isPositive();
    assertThat(cluster.client().get(key)).isEqualTo("via-n1");
  }

  /** One command in RESP, as a client writes it. */
  private static String resp(String... argv) {
    StringBuilder out = new StringBuilder("*").append(argv.length).append("\r\n");
    for (String arg : argv) {
      out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
    }
    return out.toString();
  }

  private static long forwardedProposals(TestCluster cluster) {
    long forwarded = 0;
    for (int n = 0; n < NODES; n++) {
      for (int g = 0; g < GROUPS; g++) {
        forwarded += cluster.node(n).raft(g).forwardedProposals();
      }
    }
    return forwarded;
  }

  private static String keyOfGroup(SlotMap map, int group) {
    for (int i = 0; ; i++) {
      if (map.groupOfKey(("plain:" + i).getBytes(StandardCharsets.UTF_8)) == group) {
        return "plain:" + i;
      }
    }
  }

  private static void awaitLeaderOfEveryGroup(TestCluster cluster) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (int g = 0; g < GROUPS; g++) {
        for (int n = 0; n < NODES; n++) {
          if (cluster.node(n).raft(g).status().leaderId().isEmpty()) {
            return false;
          }
        }
      }
      return true;
    });
  }

  private static long awaitSameAppliedIndex(TestCluster cluster, int group) {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      long commit = 0;
      List<Long> applied = new ArrayList<>();
      for (int n = 0; n < NODES; n++) {
        RaftStatus status = cluster.node(n).raft(group).status();
        commit = Math.max(commit, status.commitIndex());
        applied.add(status.appliedIndex());
      }
      long target = commit;
      return applied.stream().allMatch(a -> a == target) ? target : -1L;
    }, index -> index > 0);
  }

  private static Set<String> userKeys(TestCluster cluster, int node, int group) {
    try (Jedis redis = cluster.redis(node, group).jedis()) {
      Set<String> keys = new HashSet<>(redis.keys("*"));
      keys.removeIf(key -> key.startsWith("__redraft:"));
      return keys;
    }
  }

  private static String keyInAnotherGroup(SlotMap map, String key) {
    int group = map.groupOfKey(key.getBytes());
    for (int i = 0; ; i++) {
      String candidate = "other:" + i;
      if (map.groupOfKey(candidate.getBytes()) != group) {
        return candidate;
      }
    }
  }
}
