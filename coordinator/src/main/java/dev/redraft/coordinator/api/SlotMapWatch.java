package dev.redraft.coordinator.api;

import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.shard.SlotMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the slot map: the static split of the slots, with the moves group 0's log recorded,
 * as this node's replica of group 0 applied them (read from its Redis whenever the map's version there
 * changed; a replica reloaded by a snapshot or a repair is read the same way). It may lag the log by a
 * moment: routing by a lagging map only costs a hop, since every group refuses, in its own log, keys of
 * slots it does not own. The static split is over the groups this node's data was created with until
 * group 0's log says otherwise (its first move records the split's groups): a node that joined a cluster
 * after groups were added learns it there.
 */
final class SlotMapWatch implements Supplier<SlotMap>, AutoCloseable {
  private static final long PERIOD_MS = 200;
  private static final Logger LOG = LoggerFactory.getLogger(SlotMapWatch.class);

  private final String nodeId;
  private final RaftNode groupZero;
  private volatile SlotMap staticSplit;
  private final ScheduledExecutorService timer;
  private final LogThrottle failures = new LogThrottle(30, TimeUnit.SECONDS);
  private volatile SlotMap current;

  /** @param splitGroups the groups of the static split as this node recorded them; groups, the cluster's */
  SlotMapWatch(String nodeId, int splitGroups, int groups, RaftNode groupZero) {
    this.nodeId = nodeId;
    this.groupZero = groupZero;
    this.staticSplit = SlotMap.evenSplit(splitGroups, groups);
    this.current = staticSplit;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-slot-map-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    if (staticSplit.groups() > 1) {
      timer.scheduleWithFixedDelay(this::refreshQuietly, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public SlotMap get() {
    return current;
  }

  /** Reads the map again if its version changed; returns the map now known. */
  SlotMap refresh() {
    RedisReader redis = groupZero.stateMachine().reads().redis();
    if (redis.slotMapVersion() != current.version()) {
      RedisReader.StoredSlotMap stored = redis.slotMap();
      adoptRecordedSplit(stored.splitGroups());
      SlotMap next = staticSplit.withMoved(stored.moved(), stored.version());
      if (next.version() != current.version()) {
        LOG.info("node {}: slot map version {} ({} slots moved since the static split)", nodeId, next.version(),
            stored.moved().size());
      }
      current = next;
    }
    return current;
  }

  private void adoptRecordedSplit(int recorded) {
    SlotMap split = staticSplit;
    if (recorded == 0 || recorded == split.splitGroups()) {
      return;
    }
    if (recorded > split.groups()) {
      throw new IllegalStateException("group 0's log splits the slots over " + recorded + " groups, but this node has "
          + split.groups() + ": give it a Redis for every group of the cluster (group-redis-addresses)");
    }
    LOG.warn("node {}: its data directory says the slots are split over {} groups, group 0's log says {}: routing by"
        + " the log's", nodeId, split.splitGroups(), recorded);
    staticSplit = SlotMap.evenSplit(recorded, split.groups());
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      long skipped = failures.admit();
      if (skipped != LogThrottle.NOT_NOW) {
        LOG.warn("node {}: could not read the slot map from group 0's Redis ({}); routing by version {} until it"
            + " answers ({} more such failures since the last line)", nodeId, e.getMessage(), current.version(), skipped);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
