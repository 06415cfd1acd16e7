package dev.redraft.coordinator.api;

import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.node.SlotSplitFile;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.shard.SlotMap;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
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
 * slots it does not own. How many groups the static split is over is this node's own record
 * ({@link SlotSplitFile}), which group 0's log holds too (RECORD_SPLIT, proposed by group 0's leader): a
 * node that joined a sharded cluster routes no key until it has read it there, and keeps it in its file; a
 * node whose record disagrees with the log's routes no key.
 */
final class SlotMapWatch implements Supplier<SlotMap>, AutoCloseable {
  private static final long PERIOD_MS = 200;
  private static final Logger LOG = LoggerFactory.getLogger(SlotMapWatch.class);

  private final NodeConfig config;
  private final int groups;
  private final RaftNode groupZero;
  private final ScheduledExecutorService timer;
  private final LogThrottle failures = new LogThrottle(30, TimeUnit.SECONDS);
  /** The split this node routes by; {@link SlotSplitFile#UNKNOWN} until a joining node read group 0's. */
  private volatile int split;
  private volatile SlotMap current;

  /** @param splitGroups the groups of the static split as this node recorded them; groups, this node's */
  SlotMapWatch(NodeConfig config, int splitGroups, int groups, RaftNode groupZero) {
    this.config = config;
    this.groups = groups;
    this.groupZero = groupZero;
    this.split = groups == 1 ? 1 : splitGroups;
    this.current = split == SlotSplitFile.UNKNOWN ? SlotMap.splitUnknown(groups, "node " + config.nodeId()
        + " joined the cluster and has not read from group 0's log yet how the key slots are split over the groups:"
        + " ask another node, or this one again once it caught up") : SlotMap.evenSplit(split, groups);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-slot-map-" + config.nodeId());
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    if (groups > 1) {
      timer.scheduleWithFixedDelay(this::refreshQuietly, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public SlotMap get() {
    return current;
  }

  /** How many groups the static split is over, as this node routes by it ({@link SlotSplitFile#UNKNOWN}: none yet). */
  int split() {
    return split;
  }

  /** Reads the map again if its version or recorded split changed; returns the map now known. */
  synchronized SlotMap refresh() {
    if (groups == 1) {
      return current;
    }
    RedisReader redis = groupZero.stateMachine().reads().redis();
    RedisReader.SlotMapHead head = redis.slotMapHead();
    boolean splitChanged = head.splitGroups() != SlotSplitFile.UNKNOWN && head.splitGroups() != split;
    if (splitChanged) {
      adopt(head.splitGroups());
    }
    if (split != SlotSplitFile.UNKNOWN && (splitChanged || !current.splitKnown() || head.version() != current.version())) {
      RedisReader.StoredSlotMap stored = redis.slotMap();
      SlotMap next = SlotMap.evenSplit(split, groups).withMoved(hosted(stored.moved()), stored.version());
      if (next.version() != current.version()) {
        LOG.info("node {}: slot map version {} ({} slots moved since the static split)", config.nodeId(),
            next.version(), stored.moved().size());
      }
      current = next;
    }
    return current;
  }

  /**
   * Takes group 0's record of the split if this node did not know it, and keeps it in its file. A node whose
   * own record differs routes no key (one of the two is wrong, and routing by a wrong split would write keys
   * into groups that do not own them): an operator must look.
   */
  private void adopt(int recorded) {
    if (recorded > groups) {
      throw new IllegalStateException("group 0's log splits the slots over " + recorded + " groups, but this node has "
          + groups + ": give it a Redis for every group of the cluster (group-redis-addresses) and start it again");
    }
    if (split != SlotSplitFile.UNKNOWN) {
      String why = "node " + config.nodeId() + "'s record of how the key slots are split (" + split + " groups, in "
          + config.dataDir().resolve("groups") + ") disagrees with group 0's log (" + recorded + "): it routes no key"
          + " until they agree; find which is wrong (the other nodes' files say) and correct it";
      current = SlotMap.splitUnknown(groups, why);
      throw new IllegalStateException(why);
    }
    try {
      SlotSplitFile.learned(config, recorded);
    } catch (IOException e) {
      throw new IllegalStateException("could not record the split in " + config.dataDir() + ": " + e.getMessage(), e);
    }
    LOG.info("node {}: the key slots are split over {} groups (learned from group 0's log): routing keys from now on",
        config.nodeId(), recorded);
    split = recorded;
  }

  /**
   * The moved slots whose group this node hosts. A node started without a group that slots moved to (its
   * restart with a Redis for it is still to come) keeps those slots' earlier owner: that group refuses them
   * as moved, and the request fails with a clear error instead of this node's map going stale.
   */
  private Map<Integer, Integer> hosted(Map<Integer, Integer> moved) {
    if (moved.values().stream().allMatch(group -> group < groups)) {
      return moved;
    }
    Map<Integer, Integer> known = new HashMap<>();
    moved.forEach((slot, group) -> {
      if (group < groups) {
        known.put(slot, group);
      }
    });
    long skipped = failures.admit();
    if (skipped != LogThrottle.NOT_NOW) {
      LOG.warn("node {}: slots moved to groups this node does not host (it has {}): restart it with a Redis for every"
          + " group (group-redis-addresses; cluster.sh add-group does it)", config.nodeId(), groups);
    }
    return known;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      long skipped = failures.admit();
      if (skipped != LogThrottle.NOT_NOW) {
        LOG.warn("node {}: the slot map was not refreshed from group 0's Redis: {} ({} more such failures since the"
            + " last line)", config.nodeId(), e.getMessage(), skipped);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
