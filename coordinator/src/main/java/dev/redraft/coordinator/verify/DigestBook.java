package dev.redraft.coordinator.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** The digests this node's Redis had at recent VERIFY entries, by round (the entry's log index). */
public final class DigestBook {
  private static final int ROUNDS_KEPT = 64;

  private final TreeMap<Long, String> digests = new TreeMap<>();
  private final Map<Long, List<CompletableFuture<String>>> waiting = new HashMap<>();

  public void record(long round, String digest) {
    List<CompletableFuture<String>> waiters;
    synchronized (this) {
      digests.put(round, digest);
      while (digests.size() > ROUNDS_KEPT) {
        digests.pollFirstEntry();
      }
      waiters = waiting.remove(round);
    }
    if (waiters != null) {
      waiters.forEach(w -> w.complete(digest));
    }
  }

  public synchronized Optional<String> get(long round) {
    return Optional.ofNullable(digests.get(round));
  }

  /** Completes with the digest of {@code round} once this node has applied that VERIFY entry. */
  public CompletableFuture<String> await(long round) {
    synchronized (this) {
      String digest = digests.get(round);
      if (digest != null) {
        return CompletableFuture.completedFuture(digest);
      }
      CompletableFuture<String> future = new CompletableFuture<>();
      waiting.computeIfAbsent(round, r -> new ArrayList<>()).add(future);
      // Forget waiters of rounds too old to ever arrive here, so the map cannot grow without bound.
      if (!digests.isEmpty() && waiting.size() > ROUNDS_KEPT) {
        long oldest = digests.firstKey();
        waiting.keySet().removeIf(r -> r < oldest);
      }
      return future;
    }
  }
}
