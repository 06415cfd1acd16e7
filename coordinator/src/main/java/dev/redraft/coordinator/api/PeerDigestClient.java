package dev.redraft.coordinator.api;

import dev.redraft.api.v1.GetDigestRequest;
import dev.redraft.coordinator.verify.PeerDigests;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Collects other nodes' digests of a group's replica for a verification round, in parallel, through
 * their admin API.
 */
public final class PeerDigestClient implements AutoCloseable {
  private final PeerChannels channels;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "redraft-digest-collect");
    t.setDaemon(true);
    return t;
  });

  public PeerDigestClient(PeerChannels channels) {
    this.channels = channels;
  }

  /** The digests of {@code group}'s replicas. */
  public PeerDigests of(int group) {
    return (round, nodeIds, timeout) -> collect(group, round, nodeIds, timeout);
  }

  private Map<String, String> collect(int group, long round, Collection<String> nodeIds, Duration timeout) {
    Map<String, String> digests = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> calls = nodeIds.stream().map(node -> CompletableFuture.runAsync(() -> {
      try {
        String digest = channels.admin(node, timeout.toMillis(), "collect digests")
            .getDigest(GetDigestRequest.newBuilder().setRound(round).setGroup(group).build()).getDigest();
        if (!digest.isEmpty()) {
          digests.put(node, digest);
        }
      } catch (RuntimeException e) {
        // No answer in time: the node counts as unreachable for this round.
      }
    }, pool)).toList();
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    return Map.copyOf(digests);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
