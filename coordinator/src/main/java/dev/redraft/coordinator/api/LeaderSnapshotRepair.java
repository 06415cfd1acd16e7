package dev.redraft.coordinator.api;

import dev.redraft.api.v1.FetchSnapshotRequest;
import dev.redraft.api.v1.SnapshotChunk;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.verify.ReplicaRepair;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs this node's Redis from the leader: fetches the leader's snapshot (taken at or after the
 * verification round) over the admin API, then has the state machine load it and re-apply this
 * node's own log after it.
 */
public final class LeaderSnapshotRepair implements ReplicaRepair {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderSnapshotRepair.class);
  private static final long FETCH_DEADLINE_MS = 300_000;
  private static final Duration LEADER_WAIT = Duration.ofSeconds(30);

  private final String selfId;
  private final RaftNode raft;
  private final PeerChannels channels;
  private final Path workDir;

  public LeaderSnapshotRepair(String selfId, RaftNode raft, PeerChannels channels, Path workDir) {
    this.selfId = selfId;
    this.raft = raft;
    this.channels = channels;
    this.workDir = workDir;
  }

  @Override
  public void repairFromLeader(long round) throws Exception {
    String leader = awaitOtherLeader();
    Files.createDirectories(workDir);
    Path file = Files.createTempFile(workDir, "repair-snapshot-", ".tmp");
    try {
      long index = 0;
      Iterator<SnapshotChunk> chunks = channels.admin(leader, FETCH_DEADLINE_MS, "fetch the leader's snapshot")
          .fetchSnapshot(FetchSnapshotRequest.newBuilder().setMinIndex(round).setGroup(raft.groupIndex()).build());
      try (OutputStream out = Files.newOutputStream(file)) {
        while (chunks.hasNext()) {
          SnapshotChunk chunk = chunks.next();
          index = chunk.getSnapshotIndex();
          chunk.getData().writeTo(out);
        }
      }
      LOG.info("node {}: fetched leader {}'s snapshot at index {} ({} bytes)", selfId, leader, index, Files.size(file));
      raft.stateMachine().repairFrom(file, index).get(FETCH_DEADLINE_MS, TimeUnit.MILLISECONDS);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private String awaitOtherLeader() throws InterruptedException {
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String leader = raft.status().leaderId();
      if (!leader.isEmpty() && !leader.equals(selfId)) {
        return leader;
      }
      Thread.sleep(200);
    }
    throw new UnavailableException("no other node leads, so node " + selfId + " has no healthy state to repair from");
  }
}
