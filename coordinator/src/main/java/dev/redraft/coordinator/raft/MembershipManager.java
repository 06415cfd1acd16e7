package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.HostPort;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership changes through the Raft log, run on the leader: add a voter or learner, remove a
 * member, promote a learner. One change at a time (compare-and-set against the configuration the
 * leader holds, so a racing change is refused), and never one that leaves fewer reachable voters
 * than a majority.
 */
public final class MembershipManager {
  private static final Logger LOG = LoggerFactory.getLogger(MembershipManager.class);
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final long QUORUM_RECHECK_MS = 50;

  /** One member of the current configuration. */
  public record Member(String id, String raftAddress, boolean voter) {}

  private final String selfId;
  private final Supplier<RaftServer.Division> division;
  /** A new admin client aimed at this node (the leader): see {@link RaftNode}. */
  private final Supplier<RaftClient> adminClients;
  private final Duration liveWithin;

  MembershipManager(String selfId, Supplier<RaftServer.Division> division, Supplier<RaftClient> adminClients,
      Duration liveWithin) {
    this.selfId = selfId;
    this.division = division;
    this.adminClients = adminClients;
    this.liveWithin = liveWithin;
  }

  public boolean isLeader() {
    try {
      return division.get().getInfo().isLeader();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The configuration as this node knows it: voters first, then learners. */
  public List<Member> members() {
    RaftConfiguration conf = division.get().getRaftConf();
    List<Member> members = new ArrayList<>();
    conf.getCurrentPeers().forEach(p -> members.add(new Member(p.getId().toString(), p.getAddress(), true)));
    conf.getCurrentPeers(RaftPeerRole.LISTENER)
        .forEach(p -> members.add(new Member(p.getId().toString(), p.getAddress(), false)));
    return members;
  }

  /**
   * The members, on the leader, once its configuration is settled (not joint, and committed): what one
   * group's step of a sharded cluster's change checks before it counts the change as made. A configuration
   * still changing (an earlier attempt's) answers UNAVAILABLE: ask again shortly.
   */
  public synchronized List<Member> settledMembers() {
    requireLeader();
    RaftServer.Division d = division.get();
    RaftConfiguration conf = d.getRaftConf();
    boolean joint = !conf.getPreviousPeers().isEmpty() || !conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
    if (joint || conf.getLogEntryIndex() > d.getRaftLog().getLastCommittedIndex()) {
      throw new UnavailableException("node " + selfId + "'s configuration is still changing (an earlier change is"
          + " being committed): retry the membership change");
    }
    return members();
  }

  /**
   * Adds a member; a voter's addition returns once the new voter took in the configuration that names it
   * (waited for outside this manager's lock: see {@link AddedVoterConfirmation}).
   */
  public List<Member> add(String id, String raftAddress, boolean learner) {
    long configurationIndex = addMember(id, raftAddress, learner);
    if (!learner) {
      AddedVoterConfirmation.awaitAfterAddition(selfId, id, configurationIndex, division, this::isLeader);
    }
    return members();
  }

  /** Returns the log index of the configuration that names the new member. */
  private synchronized long addMember(String id, String raftAddress, boolean learner) {
    checkId(id);
    try {
      HostPort.parse("raft_address", raftAddress);
    } catch (ConfigException e) {
      throw new InvalidRequestException(e.getMessage());
    }
    requireLeader();
    RaftConfiguration conf = division.get().getRaftConf();
    if (conf.getPeer(RaftPeerId.valueOf(id), RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER) != null) {
      throw new RefusedException("node " + id + " is already a member");
    }
    if (replicationTargets().contains(id)) {
      stepDownForAStaleAppender(id);
    }
    List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers());
    List<RaftPeer> learners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
    RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(raftAddress)
        .setStartupRole(learner ? RaftPeerRole.LISTENER : RaftPeerRole.FOLLOWER).build();
    if (learner) {
      learners.add(peer);
    } else {
      requireQuorumAfter(voters, 1, "adding " + id);
      voters.add(peer);
    }
    change(conf, voters, learners, (learner ? "add learner " : "add voter ") + id + " at " + raftAddress);
    return division.get().getRaftConf().getLogEntryIndex();
  }

  public synchronized List<Member> remove(String id) {
    checkId(id);
    requireLeader();
    RaftConfiguration conf = division.get().getRaftConf();
    List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers());
    List<RaftPeer> learners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
    boolean wasVoter = voters.removeIf(p -> p.getId().toString().equals(id));
    boolean wasLearner = learners.removeIf(p -> p.getId().toString().equals(id));
    if (!wasVoter && !wasLearner) {
      throw new RefusedException("node " + id + " is not a member (members: " + ids(members()) + ")");
    }
    if (wasVoter) {
      if (voters.isEmpty()) {
        throw new RefusedException("node " + id + " is the last voter: a cluster cannot lose its last voter");
      }
      requireQuorumAfter(voters, 0, "removing " + id);
    }
    change(conf, voters, learners, "remove " + id);
    return members();
  }

  public synchronized List<Member> promote(String id) {
    checkId(id);
    requireLeader();
    RaftConfiguration conf = division.get().getRaftConf();
    List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers());
    List<RaftPeer> learners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
    RaftPeer learner = learners.stream().filter(p -> p.getId().toString().equals(id)).findFirst()
        .orElseThrow(() -> new RefusedException("node " + id + " is not a learner (members: " + ids(members()) + ")"));
    learners.remove(learner);
    requireQuorumAfter(voters, 1, "promoting " + id);
    voters.add(RaftPeer.newBuilder().setId(learner.getId()).setAddress(learner.getAddress())
        .setStartupRole(RaftPeerRole.FOLLOWER).build());
    change(conf, voters, learners, "promote " + id);
    return members();
  }

  /**
   * Steps down if this leader replicates to a node that is not a member: a stream left over from a
   * removal that was in progress when it was elected (Ratis 3.3.0). Run after each configuration is
   * applied, so the next leader starts clean before the removed node is wiped and started again. In a
   * 30-minute fault run such a stream reached the restarted, empty node and made it a follower; when
   * this leader then stepped down (at the node's addition), the node campaigned, was told it is no
   * member, and Ratis closed its Raft group for good.
   */
  public synchronized void stepDownIfReplicatingToANonMember() {
    // Synchronized with add(): a node being added is replicated to before it is a member.
    if (!isLeader()) {
      return;
    }
    RaftConfiguration conf = division.get().getRaftConf();
    if (!conf.getPreviousPeers().isEmpty() || !conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty()) {
      return; // a change is still under way
    }
    Set<String> nonMembers = new HashSet<>(replicationTargets());
    nonMembers.removeAll(ids(conf.getAllPeers(RaftPeerRole.FOLLOWER)));
    nonMembers.removeAll(ids(conf.getAllPeers(RaftPeerRole.LISTENER)));
    if (nonMembers.isEmpty()) {
      return;
    }
    stepDownLeavingStreamsTo(nonMembers);
  }

  /** Steps down (best effort) so the next leader starts without replication streams to {@code nonMembers}. */
  private void stepDownLeavingStreamsTo(Set<String> nonMembers) {
    LOG.warn("node {}: still replicating to {}, not members (left over from a removal that was in progress when this "
        + "node was elected); stepping down so the next leader starts without them", selfId, nonMembers);
    try {
      transferLeadership("", liveWithin);
    } catch (RuntimeException e) {
      LOG.warn("node {}: stepping down failed: {}", selfId, e.getMessage());
    }
  }

  /**
   * Ratis 3.3.0: a leader elected while a removal was in progress (joint configuration) starts its
   * term with the new configuration but keeps replicating to the removed node for the whole term, and
   * adding that node back then fails inside Ratis ("Found duplicated element"), every time (a soak
   * run stopped on 60 s of such refusals). A new leader term starts clean: step down, ask for a retry.
   */
  private void stepDownForAStaleAppender(String id) {
    stepDownLeavingStreamsTo(Set.of(id));
    throw new UnavailableException("node " + selfId + " led with a replication stream to " + id + " left over from "
        + "its removal (Ratis keeps it when a leader is elected during a removal), which makes adding " + id
        + " fail; it stepped down so the next leader starts clean: retry the addition in a few seconds");
  }

  /** Hands leadership to {@code targetId}, or makes the leader step down (empty); returns the new leader. */
  public synchronized String transferLeadership(String targetId, Duration timeout) {
    RaftPeerId target = null;
    if (!targetId.isEmpty()) {
      checkId(targetId);
      if (division.get().getRaftConf().getPeer(RaftPeerId.valueOf(targetId), RaftPeerRole.FOLLOWER) == null) {
        throw new RefusedException("node " + targetId + " is not a voter: only voters can lead (members: "
            + ids(members()) + ")");
      }
      target = RaftPeerId.valueOf(targetId);
    }
    try (RaftClient admin = adminClients.get()) {
      RaftClientReply reply = admin.admin().transferLeadership(target, timeout.toMillis());
      if (!reply.isSuccess()) {
        throw translate(reply.getException(), "transfer leadership");
      }
    } catch (IOException e) {
      throw translate(e, "transfer leadership");
    }
    LOG.info("node {}: leadership transfer to {} done", selfId, target == null ? "(step down)" : target);
    RaftPeerId leader = division.get().getInfo().getLeaderId();
    return leader == null ? "" : leader.toString();
  }

  /** Takes a snapshot on this node now (unless nothing was applied since the last one); returns its index. */
  public long takeSnapshot(Duration timeout) {
    try (RaftClient admin = adminClients.get()) {
      // A creation gap of 1: snapshot whenever anything new was applied, whatever snapshot-threshold says.
      RaftClientReply reply = admin.getSnapshotManagementApi(RaftPeerId.valueOf(selfId)).create(1, timeout.toMillis());
      if (!reply.isSuccess()) {
        throw translate(reply.getException(), "take a snapshot");
      }
      return reply.getLogIndex();
    } catch (IOException e) {
      throw translate(e, "take a snapshot");
    }
  }

  private void change(RaftConfiguration current, List<RaftPeer> voters, List<RaftPeer> learners, String what) {
    SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInNewConf(voters)
        .setListenersInNewConf(learners)
        .setServersInCurrentConf(new ArrayList<>(current.getCurrentPeers()))
        .setListenersInCurrentConf(new ArrayList<>(current.getCurrentPeers(RaftPeerRole.LISTENER)))
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    LOG.info("node {}: membership change: {}", selfId, what);
    try (RaftClient admin = adminClients.get()) {
      RaftClientReply reply = admin.admin().setConfiguration(arguments);
      if (!reply.isSuccess()) {
        throw translate(reply.getException(), what);
      }
    } catch (IOException e) {
      throw translate(e, what);
    }
    LOG.info("node {}: membership change done: {}", selfId, what);
  }

  private void requireLeader() {
    if (!isLeader()) {
      throw new UnavailableException("node " + selfId + " is not the leader any more: retry the membership change");
    }
  }

  /**
   * The members this node heard from within the election timeout, itself included, if it leads;
   * empty if it does not lead (only the leader knows).
   */
  public Set<String> reachableMembers() {
    return heardWithin(liveWithin);
  }

  /**
   * The voter sets whose majorities this leader needs: the current configuration's voters, and
   * during a membership change also the previous configuration's (joint consensus). Empty if this
   * node does not lead.
   */
  public List<Set<String>> voterSets() {
    if (!isLeader()) {
      return List.of();
    }
    RaftConfiguration conf = division.get().getRaftConf();
    List<Set<String>> sets = new ArrayList<>();
    sets.add(ids(conf.getCurrentPeers()));
    Set<String> previous = ids(conf.getPreviousPeers());
    if (!previous.isEmpty()) {
      sets.add(previous);
    }
    return sets;
  }

  private static Set<String> ids(java.util.Collection<RaftPeer> peers) {
    Set<String> ids = new HashSet<>();
    peers.forEach(p -> ids.add(p.getId().toString()));
    return ids;
  }

  private Set<String> heardWithin(Duration window) {
    Set<String> live = new HashSet<>();
    if (!isLeader()) {
      return live;
    }
    live.add(selfId);
    msSinceLastContact().forEach((id, elapsedMs) -> {
      if (elapsedMs <= window.toMillis()) {
        live.add(id);
      }
    });
    return live;
  }

  /** The nodes this leader runs a log appender for (normally exactly the other members). */
  private Set<String> replicationTargets() {
    return isLeader() ? msSinceLastContact().keySet() : Set.of();
  }

  /** For each node this leader replicates to: milliseconds since it last answered. */
  private Map<String, Long> msSinceLastContact() {
    Map<String, Long> elapsed = new HashMap<>();
    for (ServerRpcProto follower : division.get().getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
      elapsed.put(follower.getId().getId().toStringUtf8(), follower.getLastRpcElapsedTimeMs());
    }
    return elapsed;
  }

  private int liveVoters(List<RaftPeer> voters) {
    Set<String> live = reachableMembers();
    return (int) voters.stream().filter(p -> live.contains(p.getId().toString())).count();
  }

  /**
   * Refuses a change that would leave fewer reachable voters than a majority: the voters {@code voters}
   * plus {@code joining} new ones (counted as reachable). A leader elected a moment ago has no answer from
   * its followers yet (Ratis counts each as silent until its first answer), so a shortfall is looked at
   * again for up to the election timeout before the change is refused.
   */
  private void requireQuorumAfter(List<RaftPeer> voters, int joining, String what) {
    int votersAfter = voters.size() + joining;
    int majority = votersAfter / 2 + 1;
    long deadline = System.nanoTime() + liveWithin.toNanos();
    int liveAfter = liveVoters(voters) + joining;
    while (liveAfter < majority && System.nanoTime() < deadline) {
      try {
        Thread.sleep(QUORUM_RECHECK_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      liveAfter = liveVoters(voters) + joining;
    }
    if (liveAfter < majority) {
      throw new RefusedException(what + " would leave " + votersAfter + " voters of which only " + liveAfter
          + " are reachable, fewer than the majority of " + majority + ": the cluster would lose quorum."
          + " Bring the unreachable voters back first");
    }
  }

  private static void checkId(String id) {
    if (id == null || !NODE_ID.matcher(id).matches()) {
      throw new InvalidRequestException("node_id '" + id + "' is not valid: use 1 to 64 letters, digits, '-' or '_'");
    }
  }

  private static String ids(List<Member> members) {
    return String.join(", ", members.stream().map(m -> m.id() + (m.voter() ? "" : " (learner)")).toList());
  }

  private RuntimeException translate(Throwable cause, String what) {
    if (cause instanceof ReconfigurationInProgressException) {
      return new RefusedException("cannot " + what + ": another membership change is in progress; retry when it is done");
    }
    if (cause instanceof SetConfigurationException) {
      return new RefusedException("cannot " + what + ": " + cause.getMessage());
    }
    if (cause instanceof NotLeaderException) {
      return new UnavailableException("cannot " + what + ": leadership moved; retry", cause);
    }
    if (cause instanceof RaftException || cause instanceof IOException) {
      return new UnavailableException("cannot " + what + " now (" + cause.getClass().getSimpleName() + ": "
          + cause.getMessage() + "); check `redraft member list` and retry", cause);
    }
    return new UnavailableException("cannot " + what + ": " + cause, cause);
  }
}
