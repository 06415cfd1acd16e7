package dev.redraft.coordinator.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisSnapshots;
import dev.redraft.log.v1.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds this node's Redis after it lost data, from local state only: load the newest snapshot
 * (or start empty if there is none), then apply the node's own Raft log entries after it, up to the
 * index the node had applied. Replies are not needed: the client sessions are rebuilt by the same
 * entries, so exactly-once holds across the rebuild.
 */
final class RedisRebuilder implements ApplyPipeline.Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRebuilder.class);

  private final String nodeId;
  private final SnapshotStore snapshots;
  private final RedisSnapshots redis;
  private final RedisApplier applier;
  private final Supplier<RaftLog> log;
  private final int batchMax;

  RedisRebuilder(String nodeId, SnapshotStore snapshots, RedisSnapshots redis, RedisApplier applier,
      Supplier<RaftLog> log, int batchMax) {
    this.nodeId = nodeId;
    this.snapshots = snapshots;
    this.redis = redis;
    this.applier = applier;
    this.log = log;
    this.batchMax = batchMax;
  }

  @Override
  public long rebuildUpTo(long appliedIndex) throws Exception {
    SingleFileSnapshotInfo snapshot = snapshots.latest(false);
    long from;
    if (snapshot != null && snapshot.getIndex() <= appliedIndex) {
      RedisSnapshots.Summary loaded = snapshots.load(snapshot);
      LOG.info("node {}: loaded snapshot at index {} ({} keys) into its Redis", nodeId, snapshot.getIndex(),
          loaded.keys());
      from = snapshot.getIndex() + 1;
    } else {
      redis.clear();
      from = 1;
    }
    replay(from, appliedIndex);
    return applier.readAppliedMarker();
  }

  /** Re-applies this node's log entries {@code from..to} to its Redis (entries it holds are skipped). */
  void replay(long from, long to) {
    RaftLog raftLog = log.get();
    if (from > to) {
      return;
    }
    if (from < raftLog.getStartIndex()) {
      throw new IllegalStateException("the Raft log starts at " + raftLog.getStartIndex() + " but entries from "
          + from + " are needed and no snapshot covers them");
    }
    List<ApplyRequest> batch = new ArrayList<>(batchMax);
    for (long index = from; index <= to; index++) {
      LogEntryProto entry;
      try {
        entry = raftLog.get(index);
      } catch (Exception e) {
        throw new IllegalStateException("cannot read log entry " + index + ": " + e.getMessage(), e);
      }
      if (entry == null || !entry.hasStateMachineLogEntry()) {
        continue; // configuration and metadata entries do not touch Redis
      }
      // A group entry's writes go in whole: a call never ends inside an entry.
      batch.addAll(EntryTranslator.toApplyRequests(index, decode(index, entry)));
      if (batch.size() >= batchMax) {
        applier.apply(applier.readAppliedMarker(), batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      applier.apply(applier.readAppliedMarker(), batch);
    }
    LOG.info("node {}: re-applied log entries {}..{} to its Redis", nodeId, from, to);
  }

  static LogEntry decode(long index, LogEntryProto entry) {
    try {
      return LogEntry.parseFrom(ProtoBytes.bytes(entry.getStateMachineLogEntry().getLogData()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("log entry " + index + " cannot be decoded: " + e.getMessage(), e);
    }
  }
}
