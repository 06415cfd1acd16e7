package dev.redraft.coordinator.api;

import dev.redraft.api.v1.GetConfigurationRequest;
import dev.redraft.api.v1.GetConfigurationResponse;
import dev.redraft.coordinator.raft.RaftNode;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's commit index, as a follower last heard it from the leader itself (GetConfiguration,
 * which reads only Raft state: a leader whose Redis hangs still answers at once; asked twice a
 * second in the background), for readiness: a follower's own commit index only
 * follows entries it holds, so a node restarted behind, or one the leader cannot append to
 * (seen: the leader logged "INCONSISTENCY reply with nextIndex 32" and the follower got nothing
 * more), saw no lag against it and reported ready. The readiness check reads the last answer and
 * never waits on another node.
 */
public final class LeaderCommitProbe implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderCommitProbe.class);
  static final long INTERVAL_MS = 500;
  private static final long DEADLINE_MS = 1_000;
  /** An answer older than this no longer counts: a few missed asks, no more. */
  public static final Duration MAX_AGE = Duration.ofMillis(3 * INTERVAL_MS + DEADLINE_MS);

  private record Heard(String leaderId, long commitIndex, long atNanos) {}

  private final RaftNode raft;
  private final PeerChannels channels;
  private final AtomicReference<Heard> last = new AtomicReference<>();
  private final ScheduledExecutorService thread;

  public LeaderCommitProbe(String selfId, RaftNode raft, PeerChannels channels) {
    this.raft = raft;
    this.channels = channels;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-leader-commit-" + selfId);
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::ask, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private void ask() {
    RaftNode.Brief brief = raft.brief();
    String leader = brief.leaderId();
    if (leader.isEmpty() || leader.equals(brief.nodeId())) {
      return;
    }
    try {
      GetConfigurationResponse status = channels.admin(leader, DEADLINE_MS, "ask the leader for its commit index")
          .getConfiguration(GetConfigurationRequest.newBuilder().setGroup(raft.groupIndex()).build());
      if (status.getRole().equals("LEADER")) {
        last.set(new Heard(leader, status.getCommitIndex(), System.nanoTime()));
      }
    } catch (RuntimeException e) {
      LOG.debug("asking leader {} for its commit index failed: {}", leader, e.toString());
    }
  }

  /** The commit index {@code leaderId} reported within {@link #MAX_AGE}, or empty. */
  public OptionalLong commitIndexOf(String leaderId) {
    Heard heard = last.get();
    if (heard == null || !heard.leaderId().equals(leaderId)
        || System.nanoTime() - heard.atNanos() > MAX_AGE.toNanos()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(heard.commitIndex());
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
