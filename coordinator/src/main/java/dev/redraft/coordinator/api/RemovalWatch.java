package dev.redraft.coordinator.api;

import dev.redraft.api.v1.GetConfigurationRequest;
import dev.redraft.api.v1.GetConfigurationResponse;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.ConfigurationView;
import dev.redraft.coordinator.raft.RaftNode;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out that this node was removed from the cluster when nobody tells it. The leader stops
 * replicating to a node once the configuration without it is in force, so the removed node may never
 * apply that configuration (and Ratis may close its group on it): it would keep serving stale reads
 * and taking writes. So a node that has been a member and has heard from no leader for an election
 * timeout (or, as a backstop, once a minute) asks the nodes it knows for their configuration, with
 * backoff (2 s doubling to 30 s) while nobody gives a definite answer.
 *
 * <p>Only a definite answer counts: a configuration that is committed on the node that holds it
 * (its index is at most that node's commit index), not a joint one, includes the answering node, and
 * is newer than the newest configuration this node knows that includes it. Among such answers the
 * newest decides. A partitioned node gets no answer, a restarting or lagging node only older
 * configurations, and a node being added has never been in a configuration: none of them is marked.
 * A removed node refuses every request from then on ({@link NodeHealth#markRemoved}) and says so once
 * in its log.
 */
public final class RemovalWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RemovalWatch.class);
  private static final long TICK_MS = 1_000;
  private static final long ASK_DEADLINE_MS = 2_000;
  private static final long MIN_BACKOFF_MS = 2_000;
  private static final long MAX_BACKOFF_MS = 30_000;
  /** Even while a leader is known, ask this often. */
  private static final long ROUTINE_MS = 60_000;

  private final String selfId;
  private final RaftNode raft;
  private final NodeHealth health;
  private final MemberDirectory members;
  private final PeerChannels channels;
  private final long quietNanos;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "redraft-removal-watch");
    t.setDaemon(true);
    return t;
  });

  // Used on the timer thread only.
  /**
   * Log index of the newest configuration seen here that includes this node (-1: none, or only the
   * initial configuration, which is not in the log).
   */
  private long selfConfigurationIndex = -1;
  private boolean everMember;
  private long noLeaderSinceNanos;
  private long lastAskNanos;
  private long nextAskNanos;
  private long backoffMs = MIN_BACKOFF_MS;

  /** {@code quiet}: how long without a leader before asking (the election timeout's maximum). */
  public RemovalWatch(String selfId, RaftNode raft, NodeHealth health, MemberDirectory members, PeerChannels channels,
      Duration quiet) {
    this.selfId = selfId;
    this.raft = raft;
    this.health = health;
    this.members = members;
    this.channels = channels;
    this.quietNanos = quiet.toNanos();
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::tickSafely, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** What {@code GetConfiguration} answers: this node's view. */
  static GetConfigurationResponse toResponse(ConfigurationView view) {
    return GetConfigurationResponse.newBuilder().setNodeId(view.nodeId()).setRole(view.role()).setTerm(view.term())
        .setCommitIndex(view.commitIndex()).setConfigurationIndex(view.configurationIndex())
        .addAllVoters(view.voters()).addAllLearners(view.learners()).setJoint(view.joint()).build();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.debug("node {}: membership check failed: {}", selfId, e.toString());
    }
  }

  private void tick() {
    if (health.isRemoved()) {
      timer.shutdown();
      return;
    }
    Optional<ConfigurationView> own = ConfigurationView.of(raft);
    boolean inOwn = own.map(v -> v.includes(selfId)).orElse(false);
    long applied = raft.stateMachine().lastConfigurationWithSelf();
    if (inOwn) {
      everMember = true;
      selfConfigurationIndex = Math.max(selfConfigurationIndex, own.get().configurationIndex());
    }
    everMember |= applied >= 0;
    if (!everMember) {
      return; // never a member yet: a node waiting to be added
    }
    long evidence = Math.max(selfConfigurationIndex, applied);
    long now = System.nanoTime();
    if (own.map(v -> v.role().equals("LEADER")).orElse(false)) {
      noLeaderSinceNanos = 0;
      return;
    }
    boolean leaderKnown = inOwn && !raft.status().leaderId().isEmpty();
    if (leaderKnown) {
      noLeaderSinceNanos = 0;
      backoffMs = MIN_BACKOFF_MS;
      if (now - lastAskNanos < TimeUnit.MILLISECONDS.toNanos(ROUTINE_MS)) {
        return;
      }
    } else {
      if (noLeaderSinceNanos == 0) {
        noLeaderSinceNanos = now;
      }
      if (now - noLeaderSinceNanos < quietNanos || now - nextAskNanos < 0) {
        return;
      }
    }
    lastAskNanos = now;
    if (!askWhetherRemoved(own, evidence)) {
      nextAskNanos = now + TimeUnit.MILLISECONDS.toNanos(backoffMs);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
  }

  /** Asks every node it knows; marks this node removed on a definite answer. True if it did. */
  private boolean askWhetherRemoved(Optional<ConfigurationView> own, long evidence) {
    Set<String> others = new LinkedHashSet<>();
    own.ifPresent(v -> {
      others.addAll(v.voters());
      others.addAll(v.learners());
    });
    others.addAll(members.all().keySet());
    others.remove(selfId);
    GetConfigurationResponse newest = null;
    for (String id : others) {
      GetConfigurationResponse answer;
      try {
        answer = channels.admin(id, ASK_DEADLINE_MS, "ask whether it is still a member")
            .getConfiguration(GetConfigurationRequest.getDefaultInstance());
      } catch (RuntimeException unreachable) {
        continue;
      }
      if (definite(answer, evidence) && (newest == null
          || answer.getConfigurationIndex() > newest.getConfigurationIndex())) {
        newest = answer;
      }
    }
    if (newest == null || includes(newest, selfId)) {
      return false;
    }
    String reason = "it was removed from the cluster: node " + newest.getNodeId() + " holds the committed "
        + "configuration at log index " + newest.getConfigurationIndex() + " (voters " + newest.getVotersList()
        + ", learners " + newest.getLearnersList() + "), which does not include it. Stop this node; its data "
        + "directory and Redis can then be deleted (to rejoin, start it empty and add it again)";
    if (!health.isRemoved()) {
      LOG.warn("node {}: {}", selfId, reason);
      health.markRemoved(reason);
    }
    return true;
  }

  /** A configuration committed where it is held, not joint, holding its holder, newer than this node's evidence. */
  private static boolean definite(GetConfigurationResponse answer, long evidence) {
    return answer.getConfigurationIndex() <= answer.getCommitIndex()
        && !answer.getJoint()
        && includes(answer, answer.getNodeId())
        && answer.getConfigurationIndex() > evidence;
  }

  private static boolean includes(GetConfigurationResponse answer, String id) {
    return answer.getVotersList().contains(id) || answer.getLearnersList().contains(id);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
