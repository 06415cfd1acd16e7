package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;

/**
 * A node's one Ratis server, hosting every Raft group the node has a replica of (multi-raft: one
 * Raft port, one set of Raft threads and one storage directory, a subdirectory per group). Each group
 * has its own state machine. Ratis recovers every group found in storage when the server is built, so
 * all of them are named up front; a group new to this node's storage is formatted and added once the
 * server runs. Groups are left (not deleted) by {@link #leave}, and all of them stop on {@link #close}.
 */
public final class RaftHost implements AutoCloseable {
  /** A group this node hosts: its members (none for a node joining it), and its state machine. */
  public record Hosted(RaftGroup group, StateMachine stateMachine) {}

  private final RaftServer server;
  private final RaftPeerId selfId;
  private final ClientId adminClientId = ClientId.randomId();
  private final AtomicLong adminCallIds = new AtomicLong();

  private RaftHost(RaftServer server, RaftPeerId selfId) {
    this.server = server;
    this.selfId = selfId;
  }

  /** Builds and starts this node's Ratis server with {@code groups} (at least one), each running on return. */
  public static RaftHost start(NodeConfig config, TlsMaterial tls, List<Hosted> groups) throws IOException {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a Raft host needs at least one group");
    }
    Map<RaftGroupId, StateMachine> machines = new LinkedHashMap<>();
    groups.forEach(hosted -> machines.put(hosted.group().getGroupId(), hosted.stateMachine()));
    RaftPeerId selfId = RaftPeerId.valueOf(config.nodeId());
    RaftServer server = RaftServer.newBuilder()
        .setServerId(selfId)
        .setGroup(groups.get(0).group())
        .setStateMachineRegistry(groupId -> {
          StateMachine machine = machines.get(groupId);
          if (machine == null) {
            // Ratis logs it and leaves that directory alone.
            throw new IllegalStateException("node " + config.nodeId() + " has Raft storage for group " + groupId
                + ", which its configuration does not name");
          }
          return machine;
        })
        .setProperties(RaftSettings.server(config))
        .setParameters(RaftSettings.serverParameters(tls))
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    RaftHost host = new RaftHost(server, selfId);
    try {
      server.start();
      Set<RaftGroupId> running = new HashSet<>();
      server.getGroupIds().forEach(running::add);
      for (Hosted hosted : groups.subList(1, groups.size())) {
        if (!running.contains(hosted.group().getGroupId())) {
          host.add(hosted.group());
        }
      }
    } catch (IOException | RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  private void add(RaftGroup group) throws IOException {
    RaftClientReply reply = server.groupManagement(
        GroupManagementRequest.newAdd(adminClientId, selfId, adminCallIds.incrementAndGet(), group, true));
    if (!reply.isSuccess()) {
      throw new IOException("could not start Raft group " + group.getGroupId() + " on node " + selfId + ": "
          + reply.getException());
    }
  }

  /** Stops this node's replica of {@code groupId}; its storage stays, a later start recovers it. */
  public void leave(RaftGroupId groupId) throws IOException {
    RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(adminClientId, selfId,
        adminCallIds.incrementAndGet(), groupId, false, false));
    if (!reply.isSuccess()) {
      throw new IOException("could not stop Raft group " + groupId + " on node " + selfId + ": "
          + reply.getException());
    }
  }

  /** The Ratis server, for the groups' divisions and local submissions. */
  public RaftServer server() {
    return server;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
