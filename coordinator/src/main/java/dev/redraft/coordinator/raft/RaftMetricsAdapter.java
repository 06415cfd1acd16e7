package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.metrics.RaftMetricsSource;
import java.io.File;
import java.util.function.Supplier;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/** Reads the Raft gauges from this node's Ratis division (and its log directory) at scrape time. */
final class RaftMetricsAdapter implements RaftMetricsSource {
  private final RaftNode raft;
  private final Supplier<RaftServer.Division> division;

  RaftMetricsAdapter(RaftNode raft, Supplier<RaftServer.Division> division) {
    this.raft = raft;
    this.division = division;
  }

  @Override
  public String role() {
    return raft.status().role();
  }

  @Override
  public long term() {
    return raft.status().term();
  }

  @Override
  public long commitIndex() {
    return raft.status().commitIndex();
  }

  @Override
  public long appliedIndex() {
    return raft.stateMachine().appliedIndex();
  }

  @Override
  public long logEntries() {
    RaftServer.Division d = division.get();
    if (d == null) {
      return 0;
    }
    RaftLog log = d.getRaftLog();
    long next = log.getNextIndex();
    long start = log.getStartIndex();
    return start < 0 ? 0 : Math.max(0, next - start);
  }

  @Override
  public long logBytes() {
    RaftServer.Division d = division.get();
    if (d == null) {
      return 0;
    }
    File[] segments = d.getRaftStorage().getStorageDir().getCurrentDir()
        .listFiles((dir, name) -> name.startsWith("log_"));
    long bytes = 0;
    if (segments != null) {
      for (File segment : segments) {
        bytes += segment.length();
      }
    }
    return bytes;
  }

  @Override
  public long electionsStarted() {
    return raft.electionsStarted();
  }

  @Override
  public long forwardedProposals() {
    return raft.forwardedProposals();
  }
}
