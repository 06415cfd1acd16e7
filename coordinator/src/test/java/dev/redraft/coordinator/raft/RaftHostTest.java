package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.node.SlotSplitFile;
import dev.redraft.coordinator.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Ratis server per node hosting two Raft groups (multi-raft, the ground sharding builds on): each
 * group replicates to its own state machine on every node and nowhere else, both come back from
 * storage when the nodes restart, and a node can leave one group while it goes on serving the other.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RaftHostTest {
  private static final int NODES = 3;

  @TempDir
  Path dir;

  private final List<RaftHost> hosts = new ArrayList<>();
  private final List<RaftClient> clients = new ArrayList<>();

  /** Records the data of every entry it applies, in order. */
  private static final class Recorder extends BaseStateMachine {
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      LogEntryProto entry = trx.getLogEntry();
      String data = entry.getStateMachineLogEntry().getLogData().toString(StandardCharsets.UTF_8);
      applied.add(data);
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.completedFuture(Message.valueOf(data));
    }
  }

  @AfterEach
  void close() throws IOException {
    for (RaftClient client : clients) {
      client.close();
    }
    for (RaftHost host : hosts) {
      host.close();
    }
  }

  @Test
  void twoGroupsOnEveryNodeReplicateApartAndComeBackAfterARestart() throws Exception {
    List<Integer> ports = IntStream.range(0, NODES).mapToObj(i -> FreePorts.next()).toList();
    List<RaftPeer> peers = IntStream.range(0, NODES)
        .mapToObj(i -> RaftPeer.newBuilder().setId("n" + (i + 1)).setAddress("127.0.0.1:" + ports.get(i)).build())
        .toList();
    RaftGroup groupA = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    RaftGroup groupB = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    List<NodeConfig> configs = IntStream.range(0, NODES).mapToObj(i -> config(i, ports)).toList();

    Replicas first = startAll(configs, groupA, groupB);
    List<Recorder> a = first.a();
    List<Recorder> b = first.b();
    RaftClient clientA = client(groupA);
    RaftClient clientB = client(groupB);
    for (int i = 1; i <= 5; i++) {
      assertThat(clientA.io().send(Message.valueOf("a" + i)).isSuccess()).isTrue();
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(clientB.io().send(Message.valueOf("b" + i)).isSuccess()).isTrue();
    }
    awaitApplied(a, List.of("a1", "a2", "a3", "a4", "a5"));
    awaitApplied(b, List.of("b1", "b2", "b3"));

    // Every node restarts: Ratis finds both groups in each node's storage and replays their logs.
    for (RaftHost host : hosts) {
      host.close();
    }
    hosts.clear();
    Replicas again = startAll(configs, groupA, groupB);
    List<Recorder> a2 = again.a();
    List<Recorder> b2 = again.b();
    awaitApplied(a2, List.of("a1", "a2", "a3", "a4", "a5"));
    awaitApplied(b2, List.of("b1", "b2", "b3"));

    // n1 leaves group B; group A still replicates to it, group B goes on with the other two (a client
    // that still sent to n1 for group B would be told the group is not there: this one asks the others).
    hosts.get(0).leave(groupB.getGroupId());
    assertThat(hosts.get(0).server().getGroupIds()).containsExactly(groupA.getGroupId());
    // If n1 led group B, the others name it as leader until they elect one of their own, and a Ratis client
    // follows that hint to n1, whose "group not found" it does not retry: wait for the new leader first.
    List<RaftPeerId> others = List.of(peers.get(1).getId(), peers.get(2).getId());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      for (RaftHost host : hosts.subList(1, NODES)) {
        // No leader yet is null, which List.of's contains refuses.
        RaftPeerId leader = host.server().getDivision(groupB.getGroupId()).getInfo().getLeaderId();
        if (leader == null || !others.contains(leader)) {
          return false;
        }
      }
      return true;
    });
    RaftClient clientBWithoutN1 = client(RaftGroup.valueOf(groupB.getGroupId(), peers.subList(1, NODES)));
    assertThat(clientA.io().send(Message.valueOf("a6")).isSuccess()).isTrue();
    assertThat(clientBWithoutN1.io().send(Message.valueOf("b4")).isSuccess()).isTrue();
    awaitApplied(a2, List.of("a1", "a2", "a3", "a4", "a5", "a6"));
    awaitApplied(b2.subList(1, NODES), List.of("b1", "b2", "b3", "b4"));
    assertThat(b2.get(0).applied).doesNotContain("b4");

    // n1 kept group B's storage: started with a configuration that names only group A, it refuses to start
    // and says which directory is in the way (Ratis alone would fail the whole server on it).
    hosts.get(0).close();
    assertThatThrownBy(() -> RaftHost.start(configs.get(0), null, List.of(new RaftHost.Hosted(groupA, new Recorder()))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(groupB.getGroupId().toString())
        .hasMessageContaining("which its configuration does not name");

  }

  @Test
  void theSlotsStaySplitOverTheGroupsTheDataWasCreatedWithAndFewerGroupsAreRefused() throws Exception {
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
    assertThat(split(withGroups(ports, 3))).isEqualTo(3);
    Path file = dir.resolve("n1").resolve("groups");
    assertThat(Files.readString(file).trim()).isEqualTo("3");
    assertThat(split(withGroups(ports, 4))).as("a group added later").isEqualTo(3);
    assertThat(Files.readString(file).trim()).as("the split is not rewritten").isEqualTo("3");
    assertThatThrownBy(() -> split(withGroups(ports, 2)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("created for a cluster of 3 Raft group(s), but its configuration names 2")
        .hasMessageContaining("start it with 2 group-redis-addresses");
    Files.writeString(file, "three\n");
    assertThatThrownBy(() -> split(withGroups(ports, 3)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("holds 'three'");
  }

  @Test
  void aNodeJoiningAShardedClusterLearnsTheSplitAndDataFromBeforeTheFileCountsItsGroups() throws Exception {
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
    NodeConfig joining = ConfigLoader.load(java.util.stream.Stream.concat(java.util.Arrays.stream(
        withGroupsArgs(ports, 3)), java.util.stream.Stream.of("--initial-cluster-state=existing")).toArray(String[]::new),
        Map.of());
    assertThat(split(joining)).as("not known until group 0's log says").isEqualTo(SlotSplitFile.UNKNOWN);
    assertThat(split(joining)).as("still not known after a restart").isEqualTo(SlotSplitFile.UNKNOWN);
    assertThatThrownBy(() -> split(withGroups(ports, 1))).as("a joiner that has not learned it, with one group")
        .isInstanceOf(IOException.class).hasMessageContaining("start it with a Redis for every group");
    SlotSplitFile.learned(joining, 2);
    assertThat(split(joining)).isEqualTo(2);

    // Data of two groups from before the file existed (groups could not be added then): split over both.
    Path storage = RaftHost.storageDir(withGroups(ports, 2));
    Files.delete(dir.resolve("n1").resolve("groups"));
    Files.createDirectories(storage.resolve(UUID.randomUUID().toString()));
    Files.createDirectories(storage.resolve(UUID.randomUUID().toString()));
    assertThat(split(withGroups(ports, 3))).isEqualTo(2);
  }

  private static int split(NodeConfig config) throws IOException {
    return SlotSplitFile.read(config, RaftHost.storageDir(config));
  }

  /** Node n1's configuration with {@code groups} groups (the further groups' Redis addresses are never dialled). */
  private NodeConfig withGroups(List<Integer> ports, int groups) {
    return ConfigLoader.load(withGroupsArgs(ports, groups), Map.of());
  }

  private String[] withGroupsArgs(List<Integer> ports, int groups) {
    String further = IntStream.range(1, groups).mapToObj(g -> "127.0.0.1:" + (1000 + g)).collect(Collectors.joining(","));
    return java.util.stream.Stream.concat(java.util.Arrays.stream(args(0, ports)),
        groups == 1 ? java.util.stream.Stream.empty() : java.util.stream.Stream.of("--group-redis-addresses=" + further))
        .toArray(String[]::new);
  }

  /** Each node's state machine of group A and of group B. */
  private record Replicas(List<Recorder> a, List<Recorder> b) {}

  private Replicas startAll(List<NodeConfig> configs, RaftGroup groupA, RaftGroup groupB) throws Exception {
    List<Recorder> a = new ArrayList<>();
    List<Recorder> b = new ArrayList<>();
    for (NodeConfig config : configs) {
      Recorder recorderA = new Recorder();
      Recorder recorderB = new Recorder();
      a.add(recorderA);
      b.add(recorderB);
      hosts.add(RaftHost.start(config, null,
          List.of(new RaftHost.Hosted(groupA, recorderA), new RaftHost.Hosted(groupB, recorderB))));
    }
    return new Replicas(a, b);
  }

  private static void awaitApplied(List<Recorder> recorders, List<String> expected) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      for (Recorder recorder : recorders) {
        synchronized (recorder.applied) {
          assertThat(recorder.applied.stream().filter(s -> !s.isEmpty()).collect(Collectors.toList()))
              .isEqualTo(expected);
        }
      }
    });
  }

  private RaftClient client(RaftGroup group) {
    RaftClient client = RaftClient.newBuilder()
        .setProperties(RaftSettings.adminClient())
        .setParameters(new Parameters())
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
    clients.add(client);
    return client;
  }

  private NodeConfig config(int index, List<Integer> ports) {
    return ConfigLoader.load(args(index, ports), Map.of());
  }

  private String[] args(int index, List<Integer> ports) {
    String peers = IntStream.range(0, NODES).mapToObj(i -> "n" + (i + 1) + "=127.0.0.1:" + ports.get(i))
        .collect(Collectors.joining(","));
    return new String[] {
        "--node-id=n" + (index + 1), "--raft-address=127.0.0.1:" + ports.get(index),
        "--api-address=127.0.0.1:" + FreePorts.next(), "--peers=" + peers,
        "--data-dir=" + dir.resolve("n" + (index + 1)), "--election-timeout-min-ms=300",
        "--election-timeout-max-ms=600"};
  }
}
