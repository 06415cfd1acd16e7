package dev.redraft.coordinator.node;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses each member published through the log (its public API and its Redis), so any node
 * can point clients at the leader and report every member's status.
 */
public final class MemberDirectory {
  public record MemberAddresses(String apiAddress, String redisAddress) {}

  private final Map<String, MemberAddresses> members = new ConcurrentHashMap<>();

  public void put(String nodeId, MemberAddresses addresses) {
    members.put(nodeId, addresses);
  }

  public Optional<MemberAddresses> get(String nodeId) {
    return Optional.ofNullable(nodeId).map(members::get);
  }

  public Map<String, MemberAddresses> all() {
    return Map.copyOf(members);
  }
}
