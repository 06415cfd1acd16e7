package dev.redraft.coordinator.node;

import dev.redraft.coordinator.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Beside a node's Raft storage, the file {@code groups}: how many Raft groups the static split of the key
 * slots is over (the groups the cluster was created with; groups added later own no slot until slots move
 * to them). A node that creates a cluster records its own group count; a node joining a sharded cluster
 * records 0 (unknown) and the split group 0's log holds once it learned it ({@link #learned}); data from
 * before the file existed is as many groups as its storage holds. Written to a new file, synced, then
 * renamed over the old one: a crash leaves the old or the new record, never a torn one.
 */
public final class SlotSplitFile {
  static final String NAME = "groups";
  /** The split is not known yet: a node that joined a sharded cluster learns it from group 0's log. */
  public static final int UNKNOWN = 0;

  private SlotSplitFile() {}

  /**
   * This node's split, recorded on its first start; {@link #UNKNOWN} until a joining node learned it. A node
   * started with fewer groups than the split would look for keys in groups it no longer has: refused. More
   * is how groups are added to a running cluster.
   */
  public static int read(NodeConfig config, Path storage) throws IOException {
    Path file = config.dataDir().resolve(NAME);
    int configured = config.groupCount();
    int recorded;
    if (Files.exists(file)) {
      String text = Files.readString(file).trim();
      try {
        recorded = Integer.parseInt(text);
        if (recorded < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IOException("node " + config.nodeId() + ": " + file + " should hold the number of Raft groups the"
            + " key slots are split over (0: not known yet), but holds '" + text + "': put that number back");
      }
    } else {
      int stored = groupDirectories(storage);
      if (stored > 0) {
        recorded = stored; // data from before this file: groups could not be added then
      } else if (config.joinExisting() && configured > 1) {
        recorded = UNKNOWN;
      } else {
        recorded = configured;
      }
      write(config, recorded);
    }
    if (recorded == UNKNOWN && configured == 1) {
      throw new IOException("node " + config.nodeId() + " joined a sharded cluster (" + file + " says it has not learned"
          + " how the key slots are split yet) but its configuration names one Raft group: start it with a Redis for"
          + " every group of the cluster (group-redis-addresses)");
    }
    if (configured < recorded) {
      throw new IOException("node " + config.nodeId() + ": its data in " + config.dataDir() + " was created for a cluster"
          + " of " + recorded + " Raft group(s), but its configuration names " + configured + " ("
          + (configured - 1) + " group-redis-addresses): the key slots are split over the groups, so there cannot be"
          + " fewer; start it with " + (recorded - 1) + " group-redis-addresses (or more, to add groups)");
    }
    return recorded;
  }

  /** Records the split a node that did not know it learned from group 0's log. */
  public static void learned(NodeConfig config, int split) throws IOException {
    write(config, split);
  }

  private static void write(NodeConfig config, int split) throws IOException {
    Files.createDirectories(config.dataDir());
    Path file = config.dataDir().resolve(NAME);
    Path next = config.dataDir().resolve(NAME + ".next");
    try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(next,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
        java.nio.file.StandardOpenOption.WRITE)) {
      out.write(java.nio.ByteBuffer.wrap((split + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      out.force(true);
    }
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(config.dataDir(),
        java.nio.file.StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** How many Raft group directories {@code storage} holds (0: none, or no storage). */
  private static int groupDirectories(Path storage) throws IOException {
    if (!Files.isDirectory(storage)) {
      return 0;
    }
    try (Stream<Path> dirs = Files.list(storage)) {
      return (int) dirs.filter(dir -> Files.isDirectory(dir) && isGroupId(dir.getFileName().toString())).count();
    }
  }

  private static boolean isGroupId(String name) {
    try {
      UUID.fromString(name);
      return true;
    } catch (IllegalArgumentException notAGroup) {
      return false;
    }
  }
}
