package dev.redraft.coordinator.node;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses each member published through the log (its public API and its Redis), so any node
 * can point clients at the leader and report every member's status.
 */
public final class MemberDirectory {
  /**
   * {@code respAddress} is empty when the node has no RESP port (or published before it told it),
   * {@code respClusterAddress} when it has no RESP port for cluster-aware clients.
   */
  public record MemberAddresses(String apiAddress, String redisAddress, String respAddress, String respClusterAddress) {
    public MemberAddresses(String apiAddress, String redisAddress, String respAddress) {
      this(apiAddress, redisAddress, respAddress, "");
    }

    /**
     * As kept in the replicated members hash: "api|redis", "api|redis|resp" when there is a RESP port, and
     * "api|redis|resp|cluster" when there is a cluster port too.
     */
    public String encoded() {
      return apiAddress + "|" + redisAddress + (respAddress.isEmpty() && respClusterAddress.isEmpty() ? "" : "|" + respAddress)
          + (respClusterAddress.isEmpty() ? "" : "|" + respClusterAddress);
    }

    /** The inverse of {@link #encoded}; an older value may hold the API address alone. */
    public static MemberAddresses decode(String value) {
      String[] parts = value.split("\\|", 4);
      return new MemberAddresses(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "",
          parts.length > 3 ? parts[3] : "");
    }
  }

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
