package dev.redraft.coordinator.api;

import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.redis.RedisReader.PreparedTx;
import dev.redraft.log.v1.TxStep;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes transactions across groups that their coordinator left prepared (it crashed, or lost its
 * groups' leaders midway), so no key stays locked: on each group this node leads, a transaction
 * prepared longer ago than {@link #STALE_AFTER_MS} gets its home group's decision (DECIDE_ABORT: an
 * existing decision wins, so a transaction the coordinator decided to commit still commits), then that
 * decision is logged here. A coordinator still at work is not disturbed: the first decision stands.
 */
final class TxRecovery implements AutoCloseable {
  /** A transaction prepared this long ago (by the log's clock) is taken for abandoned. */
  static final long STALE_AFTER_MS = 3_000;
  private static final long PERIOD_MS = 1_000;
  private static final int PER_ROUND = 256;
  /** How long one transaction's recovery (its decision, then its finish) may take before the next one's turn. */
  private static final long STEP_TIMEOUT_MS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(TxRecovery.class);

  private final String nodeId;
  private final List<RaftNode> groups;
  private final IntFunction<WriteHandler> groupWrites;
  private final ScheduledExecutorService timer;
  private final LogThrottle failures = new LogThrottle(10, TimeUnit.SECONDS);

  TxRecovery(String nodeId, List<RaftNode> groups, IntFunction<WriteHandler> groupWrites) {
    this.nodeId = nodeId;
    this.groups = List.copyOf(groups);
    this.groupWrites = groupWrites;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-tx-recovery-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    if (groups.size() > 1) {
      timer.scheduleWithFixedDelay(this::round, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** One pass over the groups this node leads; waits for its steps, so passes never overlap. */
  void round() {
    for (int g = 0; g < groups.size(); g++) {
      RaftNode raft = groups.get(g);
      RaftNode.Brief brief = raft.brief();
      if (!brief.nodeId().equals(brief.leaderId())) {
        continue;
      }
      List<PreparedTx> stale;
      try {
        stale = raft.stateMachine().reads().preparedBefore(System.currentTimeMillis() - STALE_AFTER_MS, PER_ROUND);
      } catch (RuntimeException e) {
        logFailure(g, "its Redis did not list prepared transactions: " + e.getMessage());
        continue;
      }
      // Each on its own: one whose home group cannot answer now must not hold up the others, and a home
      // that failed once is skipped for the rest of the round (its transactions wait for the next).
      java.util.Set<Integer> failedHomes = new java.util.HashSet<>();
      for (PreparedTx tx : stale) {
        if (failedHomes.contains(tx.home())) {
          continue;
        }
        try {
          recover(g, tx).get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          failedHomes.add(tx.home());
          logFailure(g, "transaction " + tx.id() + " (home group " + tx.home() + "): " + e);
        }
      }
    }
  }

  private void logFailure(int group, String what) {
    long skipped = failures.admit();
    if (skipped != LogThrottle.NOT_NOW) {
      LOG.info("node {} (group {}): could not finish an abandoned transaction across groups now ({}); trying again in"
          + " {} ms ({} more such failures since the last line)", nodeId, group, what, PERIOD_MS, skipped);
    }
  }

  private CompletableFuture<Void> recover(int group, PreparedTx tx) {
    TxStep decide = CrossGroupWrites.step(TxStep.Phase.DECIDE_ABORT, tx.id(), tx.home());
    return groupWrites.apply(tx.home()).step(decide).thenCompose(decision -> {
      boolean commit = "commit".equals(decision);
      if (!commit && !"abort".equals(decision)) {
        throw new IllegalStateException("group " + tx.home() + " answered no decision for transaction " + tx.id());
      }
      TxStep finish = CrossGroupWrites.step(commit ? TxStep.Phase.COMMIT : TxStep.Phase.ABORT, tx.id(), tx.home());
      return groupWrites.apply(group).step(finish).thenAccept(done -> LOG.info("node {} (group {}): transaction {},"
          + " prepared here at {} and left unfinished, is finished by recovery: {} (the decision of its home group {})",
          nodeId, group, tx.id(), tx.preparedAtMs(), decision, tx.home()));
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
