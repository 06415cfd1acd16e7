package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;

/**
 * A node's one Ratis server, hosting every Raft group the node has a replica of (multi-raft: one
 * Raft port, one set of Raft threads and one storage directory, a subdirectory per group). Each group
 * has its own state machine. Ratis recovers every group found in storage when the server is built, so
 * all of them are named up front, and storage of a group the configuration does not name stops the
 * start with a clear error (Ratis would fail the whole server on it); a group new to this node's storage
 * is formatted and added once the server runs. A group is left by {@link #leave} (its storage stays; the
 * server then answers "group not found" to its requests, which Ratis clients do not retry: for dropping
 * one group while others run, not for a shutdown), and all of them stop in place on {@link #close}.
 */
public final class RaftHost implements AutoCloseable {
  /** A group this node hosts: its members (none for a node joining it), and its state machine. */
  public record Hosted(RaftGroup group, StateMachine stateMachine) {}

  private final RaftServer server;
  private final RaftPeerId selfId;
  private final ClientId adminClientId = ClientId.randomId();
  private final AtomicLong adminCallIds = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final BehindCandidateVotes behindCandidateVotes;
  private final LeasedPreVotes leasedPreVotes;
  private final LeaderStreamLoss leaderStreamLoss;

  private RaftHost(RaftServer server, RaftPeerId selfId, BehindCandidateVotes behindCandidateVotes,
      LeasedPreVotes leasedPreVotes, LeaderStreamLoss leaderStreamLoss) {
    this.server = server;
    this.selfId = selfId;
    this.behindCandidateVotes = behindCandidateVotes;
    this.leasedPreVotes = leasedPreVotes;
    this.leaderStreamLoss = leaderStreamLoss;
  }

  /** Builds and starts this node's Ratis server with {@code groups} (at least one), each running on return. */
  public static RaftHost start(NodeConfig config, TlsMaterial tls, List<Hosted> groups) throws IOException {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a Raft host needs at least one group");
    }
    Map<RaftGroupId, StateMachine> machines = new LinkedHashMap<>();
    groups.forEach(hosted -> machines.put(hosted.group().getGroupId(), hosted.stateMachine()));
    refuseUnknownGroupStorage(config, machines.keySet());
    RaftPeerId selfId = RaftPeerId.valueOf(config.nodeId());
    BehindCandidateVotes votes = new BehindCandidateVotes();
    LeasedPreVotes preVotes = new LeasedPreVotes(config.nodeId());
    LeaderStreamLoss streamLoss = new LeaderStreamLoss();
    RaftServer server = RaftServer.newBuilder()
        .setServerId(selfId)
        .setGroup(groups.get(0).group())
        .setStateMachineRegistry(groupId -> {
          StateMachine machine = machines.get(groupId);
          if (machine == null) {
            throw new IllegalStateException("node " + config.nodeId() + ": no state machine for Raft group " + groupId);
          }
          return machine;
        })
        .setProperties(RaftSettings.server(config))
        .setParameters(RaftSettings.serverParameters(tls, votes, preVotes, streamLoss))
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    preVotes.serve(server);
    RaftHost host = new RaftHost(server, selfId, votes, preVotes, streamLoss);
    try {
      server.start();
      Set<RaftGroupId> running = new HashSet<>();
      server.getGroupIds().forEach(running::add);
      RaftGroup first = groups.get(0).group();
      boolean firstRecovered = running.contains(first.getGroupId());
      for (Hosted hosted : groups.subList(1, groups.size())) {
        if (!running.contains(hosted.group().getGroupId())) {
          host.add(firstRecovered ? host.withMembersOf(first.getGroupId(), hosted.group()) : hosted.group());
        }
      }
    } catch (IOException | RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  /** Where this node's Raft storage is (a directory per group). */
  public static Path storageDir(NodeConfig config) {
    return RaftSettings.storageDir(config);
  }

  /** Ratis would recover a group directory found in storage and fail the whole server without its state machine. */
  private static void refuseUnknownGroupStorage(NodeConfig config, Set<RaftGroupId> named) throws IOException {
    Path storage = RaftSettings.storageDir(config);
    if (!Files.isDirectory(storage)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(storage)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        RaftGroupId groupId = groupIdOf(dir.getFileName().toString());
        if (groupId != null && !named.contains(groupId)) {
          throw new IOException("node " + config.nodeId() + " has Raft storage for group " + groupId + " in " + dir
              + ", which its configuration does not name: start it with the configuration that names that group, "
              + "or move the directory away if that group's data is no longer wanted");
        }
      }
    }
  }

  private static RaftGroupId groupIdOf(String directoryName) {
    try {
      return RaftGroupId.valueOf(UUID.fromString(directoryName));
    } catch (IllegalArgumentException notAGroup) {
      return null;
    }
  }

  /**
   * A group added to a running cluster starts with the members its first group has now (the configured
   * peers may name nodes removed since, or miss nodes added since): every node that gets the group this
   * way starts it with the same members while membership does not change meanwhile.
   */
  private RaftGroup withMembersOf(RaftGroupId firstGroup, RaftGroup added) throws IOException {
    if (added.getPeers().isEmpty()) {
      return added; // joining: the group's leader adds this node
    }
    org.apache.ratis.server.RaftConfiguration conf = server.getDivision(firstGroup).getRaftConf();
    List<RaftPeer> members = new ArrayList<>(conf.getCurrentPeers());
    // Learners stay learners in the added group (their startup role says so).
    conf.getCurrentPeers(RaftPeerRole.LISTENER).forEach(learner ->
        members.add(RaftPeer.newBuilder(learner).setStartupRole(RaftPeerRole.LISTENER).build()));
    if (members.stream().noneMatch(peer -> peer.getId().equals(selfId))) {
      return added;
    }
    return RaftGroup.valueOf(added.getGroupId(), members);
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

  /** The pre-votes this node holds while its leader's lease runs (for tests). */
  LeasedPreVotes leasedPreVotes() {
    return leasedPreVotes;
  }

  /** The broken-off append streams of leaders, by group, for the groups' election timers. */
  LeaderStreamLoss leaderStreamLoss() {
    return leaderStreamLoss;
  }

  /** The vote refusals to behind candidates, by group, for the groups' election timers. */
  BehindCandidateVotes behindCandidateVotes() {
    return behindCandidateVotes;
  }

  /** The Ratis server, for the groups' divisions and local submissions. */
  public RaftServer server() {
    return server;
  }

  /** Stops every group in place, then the server; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed.getAndSet(true)) {
      return;
    }
    List<RaftGroupId> groups = new ArrayList<>();
    server.getGroupIds().forEach(groups::add);
    try {
      server.close();
    } finally {
      leasedPreVotes.close();
    }
    groups.forEach(groupId -> CommitHeartbeats.forget(RaftGroupMemberId.valueOf(selfId, groupId)));
  }
}
