package dev.redraft.coordinator.verify;

import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.metrics.VerificationResult;
import dev.redraft.coordinator.node.NodeHealth;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares this node's Redis with the others' at each VERIFY entry (like etcd's corruption check,
 * but at a log position rather than a revision): after applying the entry, it collects every
 * member's digest for that round and judges itself against the digest a majority of voters shares.
 * A node in the minority marks itself diverged, stops serving, steps down if it leads, and reloads
 * the leader's state; when no digest has a majority it raises an alarm and repairs nothing.
 */
public final class ReplicaVerifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaVerifier.class);
  private static final Duration COLLECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STEP_DOWN_TIMEOUT = Duration.ofSeconds(20);

  private final ClusterView cluster;
  private final PeerDigests peers;
  private final ReplicaRepair repair;
  private final NodeHealth health;
  private final RedraftMetrics metrics;
  private final DigestBook book = new DigestBook();
  private final Map<Long, CompletableFuture<VerificationRound>> rounds = new ConcurrentHashMap<>();
  private final ExecutorService worker;
  private final AtomicLong driftCount = new AtomicLong();
  private final AtomicLong repairs = new AtomicLong();
  private volatile VerificationRound last;

  public ReplicaVerifier(ClusterView cluster, PeerDigests peers, ReplicaRepair repair, NodeHealth health,
      RedraftMetrics metrics) {
    this.metrics = metrics;
    this.cluster = cluster;
    this.peers = peers;
    this.repair = repair;
    this.health = health;
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "redraft-verify-" + cluster.selfId());
      t.setDaemon(true);
      return t;
    });
  }

  public DigestBook digests() {
    return book;
  }

  /** Called in log order when this node applied a VERIFY entry; judges the round in the background. */
  public void digestAt(long round, String digest) {
    if (digest == null) {
      return;
    }
    book.record(round, digest);
    CompletableFuture<VerificationRound> result = roundFuture(round);
    worker.execute(() -> {
      try {
        result.complete(judge(round, digest));
      } catch (RuntimeException e) {
        LOG.error("node {}: verification round {} failed: {}", cluster.selfId(), round, e.toString(), e);
        result.completeExceptionally(e);
      }
    });
  }

  /** Completes once this node has judged {@code round}. */
  public CompletableFuture<VerificationRound> awaitRound(long round) {
    return roundFuture(round);
  }

  private CompletableFuture<VerificationRound> roundFuture(long round) {
    if (rounds.size() > 256) {
      rounds.keySet().removeIf(r -> r < round - 256);
    }
    return rounds.computeIfAbsent(round, r -> new CompletableFuture<>());
  }

  private VerificationRound judge(long round, String ownDigest) {
    String self = cluster.selfId();
    Set<String> voters = cluster.voters();
    Set<String> others = new HashSet<>(cluster.members());
    others.remove(self);
    Map<String, String> digests = new HashMap<>(peers.collect(round, others, COLLECT_TIMEOUT));
    digests.put(self, ownDigest);

    Map<String, Integer> votes = new HashMap<>();
    digests.forEach((node, digest) -> {
      if (voters.contains(node)) {
        votes.merge(digest, 1, Integer::sum);
      }
    });
    int majority = voters.size() / 2 + 1;
    String agreed = votes.entrySet().stream().filter(e -> e.getValue() >= majority).map(Map.Entry::getKey)
        .findFirst().orElse(null);

    Map<String, Verdict> verdicts = new HashMap<>();
    for (String node : cluster.members()) {
      String digest = digests.get(node);
      if (digest == null) {
        verdicts.put(node, Verdict.UNREACHABLE);
      } else if (agreed == null) {
        verdicts.put(node, Verdict.NO_MAJORITY);
      } else {
        verdicts.put(node, digest.equals(agreed) ? Verdict.MATCH : Verdict.DIVERGED);
      }
    }
    VerificationRound result = new VerificationRound(round, self, digests, verdicts);
    last = result;
    metrics.verification(switch (result.selfVerdict()) {
      case MATCH -> VerificationResult.MATCH;
      case DIVERGED -> VerificationResult.MISMATCH;
      default -> VerificationResult.ERROR;
    });
    switch (result.selfVerdict()) {
      case DIVERGED -> repair(round, ownDigest, agreed);
      case NO_MAJORITY -> {
        long answered = digests.keySet().stream().filter(voters::contains).count();
        if (answered < majority) {
          // Too few answers to tell (a partition, a node restarting): not evidence of drift. A soak
          // run failed on this alarm raised with only the node's own digest in hand.
          LOG.warn("node {}: verification round {} is inconclusive: only {} of the {} voters answered ({}); the next"
              + " round checks again", self, round, answered, voters.size(), digests);
        } else {
          LOG.error("node {}: ALARM: verification round {} (log index {}): no digest is shared by a majority of the {}"
              + " voters ({}); nothing is repaired automatically: inspect each node's Redis",
              self, round, round, voters.size(), digests);
        }
      }
      default -> LOG.debug("node {}: verification round {}: digest {} matches the majority", self, round, ownDigest);
    }
    return result;
  }

  private void repair(long round, String ownDigest, String agreed) {
    driftCount.incrementAndGet();
    metrics.driftDetected();
    String reason = "its Redis diverged: digest " + ownDigest + " at verify round " + round + " (log index " + round
        + ") differs from the majority's " + agreed + "; repairing from the leader's state";
    LOG.error("node {}: {}", cluster.selfId(), reason);
    health.markNeedsRepair(reason);
    try {
      if (cluster.isLeader()) {
        LOG.warn("node {}: handing leadership to a voter that is ready before repairing its own Redis from it",
            cluster.selfId());
        cluster.stepDown(STEP_DOWN_TIMEOUT);
      }
      repair.repairFromLeader(round);
      repairs.incrementAndGet();
      health.markRepaired();
      LOG.warn("node {}: repaired from the leader's state after verify round {}; it serves again", cluster.selfId(),
          round);
    } catch (Exception e) {
      // Stays not ready; the next round tries again.
      LOG.error("node {}: repair after verify round {} failed: {}; it stays out of service and retries at the next"
          + " round", cluster.selfId(), round, e.toString());
    }
  }

  /** The newest round this node judged, or null. */
  public VerificationRound last() {
    return last;
  }

  public long driftCount() {
    return driftCount.get();
  }

  public long repairs() {
    return repairs.get();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
