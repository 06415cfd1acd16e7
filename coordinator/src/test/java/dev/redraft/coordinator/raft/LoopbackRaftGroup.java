package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.testing.FreePorts;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/** A Raft group of peers on free loopback ports, and each peer's node configuration, for real Ratis servers in tests. */
final class LoopbackRaftGroup {
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final RaftGroup group;

  LoopbackRaftGroup(String... ids) {
    for (String id : ids) {
      ports.put(id, FreePorts.next());
    }
    List<RaftPeer> peers = ports.entrySet().stream()
        .map(e -> RaftPeer.newBuilder().setId(e.getKey()).setAddress("127.0.0.1:" + e.getValue()).build())
        .toList();
    group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
  }

  RaftGroup group() {
    return group;
  }

  /** Node {@code id}'s configuration: its data under {@code dataRoot}, Ratis' election timeout in [min, max] ms. */
  NodeConfig config(String id, Path dataRoot, long electionMinMs, long electionMaxMs) {
    String peerList = ports.entrySet().stream().map(e -> e.getKey() + "=127.0.0.1:" + e.getValue())
        .collect(Collectors.joining(","));
    return ConfigLoader.load(new String[] {
        "--node-id=" + id, "--raft-address=127.0.0.1:" + ports.get(id), "--api-address=127.0.0.1:" + FreePorts.next(),
        "--peers=" + peerList, "--data-dir=" + dataRoot.resolve(id),
        "--election-timeout-min-ms=" + electionMinMs, "--election-timeout-max-ms=" + electionMaxMs}, Map.of());
  }
}
