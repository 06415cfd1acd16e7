package dev.redraft.coordinator.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Futures that complete once this node's Redis has applied up to a log index. */
final class AppliedIndexWaiter {
  private final TreeMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
  private long applied;

  synchronized long applied() {
    return applied;
  }

  CompletableFuture<Void> await(long index) {
    synchronized (this) {
      if (index <= applied) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> future = new CompletableFuture<>();
      waiting.computeIfAbsent(index, i -> new ArrayList<>()).add(future);
      return future;
    }
  }

  void advance(long index) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    synchronized (this) {
      if (index <= applied) {
        return;
      }
      applied = index;
      Map<Long, List<CompletableFuture<Void>>> head = waiting.headMap(index, true);
      head.values().forEach(done::addAll);
      head.clear();
    }
    done.forEach(f -> f.complete(null));
  }

  void failAll(Throwable cause) {
    List<CompletableFuture<Void>> failed = new ArrayList<>();
    synchronized (this) {
      waiting.values().forEach(failed::addAll);
      waiting.clear();
    }
    failed.forEach(f -> f.completeExceptionally(cause));
  }
}
