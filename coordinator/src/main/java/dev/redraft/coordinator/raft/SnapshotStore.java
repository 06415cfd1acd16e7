package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.redis.RedisSnapshots;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BooleanSupplier;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * This node's snapshot files, in Ratis' layout ({@code <storage>/<group>/sm/snapshot.<term>_<index>}
 * with an .md5 beside each), so Ratis can ship them to followers, keep the configured number and
 * purge the log behind them. A file is complete and on disk before Ratis hears of it.
 */
final class SnapshotStore {
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final RedisSnapshots redis;
  /**
   * The newest snapshot, kept here: Ratis asks for it on every appendEntries a follower takes, and
   * its storage re-reads the directory each time while there is none (~3% of a follower's CPU).
   */
  private volatile SingleFileSnapshotInfo latest;

  SnapshotStore(RedisSnapshots redis) {
    this.redis = redis;
  }

  void init(RaftStorage raftStorage) throws IOException {
    storage.init(raftStorage);
    latest = storage.loadLatestSnapshot();
  }

  SimpleStateMachineStorage storage() {
    return storage;
  }

  /** The newest complete snapshot, or null; {@code reload} re-reads the directory (after an install). */
  SingleFileSnapshotInfo latest(boolean reload) {
    if (reload) {
      latest = storage.loadLatestSnapshot();
    }
    return latest;
  }

  /**
   * Writes this node's Redis (quiet: the caller holds applies back) as the snapshot at {@code last}.
   * Nothing is kept (no file, no new latest snapshot) if the write fails, is abandoned, or Redis holds
   * an applied-index marker below {@code minMarker} (it lost data: the file would not be the state at
   * {@code last}).
   */
  RedisSnapshots.Summary write(TermIndex last, long minMarker, BooleanSupplier abandon) throws IOException {
    File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
    RedisSnapshots.Summary summary;
    try {
      summary = redis.write(tmp, abandon);
      if (summary.appliedMarker() < minMarker) {
        throw new IOException("its Redis holds applied index " + summary.appliedMarker() + ", less than the "
            + minMarker + " this node applied (it lost data); the snapshot was discarded");
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    SingleFileSnapshotInfo written = new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last);
    storage.updateLatestSnapshot(written);
    latest = written;
    return summary;
  }

  /** Replaces this node's Redis with a snapshot's content, after checking its checksum. */
  RedisSnapshots.Summary load(SingleFileSnapshotInfo snapshot) throws IOException {
    Path file = snapshot.getFile().getPath();
    if (snapshot.getFile().getFileDigest() != null) {
      MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
    }
    return redis.load(file);
  }

  static RedisSnapshots.Summary summary(SingleFileSnapshotInfo snapshot) throws IOException {
    return RedisSnapshots.readSummary(snapshot.getFile().getPath());
  }
}
