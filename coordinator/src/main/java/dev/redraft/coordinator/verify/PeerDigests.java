package dev.redraft.coordinator.verify;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/** Asks other nodes for their digest at a round (implemented over the admin API). */
public interface PeerDigests {
  /** node id to digest, for the nodes that answered within {@code timeout}. */
  Map<String, String> collect(long round, Collection<String> nodeIds, Duration timeout);
}
