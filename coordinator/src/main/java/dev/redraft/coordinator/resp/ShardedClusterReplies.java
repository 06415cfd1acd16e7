package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Reply;
import dev.redraft.coordinator.api.SlotLayout;
import dev.redraft.coordinator.api.SlotLayout.GroupOwners;
import dev.redraft.coordinator.shard.SlotMap;
import dev.redraft.coordinator.api.SlotLayout.Owner;
import dev.redraft.coordinator.resp.ClusterCommands.HostPort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CLUSTER SLOTS, SHARDS, NODES and INFO of a sharded cluster (or of nodes with cluster ports): each group's
 * slots are served by its leader's cluster port, or RESP port where it has none (then its other members', as
 * replicas), so a cluster-aware client sends every key straight to the leader of the key's group. Where this node knows no leader of a group, or the leader
 * has no RESP port it can name, it names itself (it forwards such requests one hop). This node's own
 * address is the one the client reached it by; a member that published a wildcard host (0.0.0.0, ::)
 * is not named, since only its own clients know how they reach it.
 */
final class ShardedClusterReplies {
  /** A member as a cluster-aware client reaches it. */
  private record Endpoint(String clusterId, HostPort address) {}

  private final SlotLayout layout;
  private final String selfNodeId;

  ShardedClusterReplies(SlotLayout layout, String selfNodeId) {
    this.layout = layout;
    this.selfNodeId = selfNodeId;
  }

  Reply slots(HostPort self) {
    List<Reply> ranges = new ArrayList<>();
    for (GroupOwners group : layout.current()) {
      for (SlotMap.Range slots : group.slots()) { // one entry per contiguous range, as Redis answers
        List<Reply> range = new ArrayList<>(List.of(Replies.integer(slots.first()), Replies.integer(slots.last())));
        for (Endpoint endpoint : endpoints(group, self)) {
          range.add(Replies.array(List.of(Replies.bulk(endpoint.address().host()),
              Replies.integer(endpoint.address().port()), Replies.bulk(endpoint.clusterId()), Replies.array(List.of()))));
        }
        ranges.add(Replies.array(range));
      }
    }
    return Replies.array(ranges);
  }

  Reply shards(HostPort self) {
    List<Reply> shards = new ArrayList<>();
    for (GroupOwners group : layout.current()) {
      List<Reply> nodes = new ArrayList<>();
      List<Endpoint> endpoints = endpoints(group, self);
      for (int i = 0; i < endpoints.size(); i++) {
        Endpoint endpoint = endpoints.get(i);
        nodes.add(Replies.array(List.of(
            Replies.bulk("id"), Replies.bulk(endpoint.clusterId()),
            Replies.bulk("port"), Replies.integer(endpoint.address().port()),
            Replies.bulk("ip"), Replies.bulk(endpoint.address().host()),
            Replies.bulk("endpoint"), Replies.bulk(endpoint.address().host()),
            Replies.bulk("role"), Replies.bulk(i == 0 ? "master" : "replica"),
            Replies.bulk("replication-offset"), Replies.integer(0),
            Replies.bulk("health"), Replies.bulk("online"))));
      }
      shards.add(Replies.array(List.of(
          Replies.bulk("slots"), Replies.array(group.slots().stream()
              .flatMap(r -> java.util.stream.Stream.of(Replies.integer(r.first()), Replies.integer(r.last()))).toList()),
          Replies.bulk("nodes"), Replies.array(nodes))));
    }
    return Replies.array(shards);
  }

  /**
   * One line per node: a node is a master of the slots of the groups it serves first, of none else
   * (Redis Cluster's model has no node that leads one shard and follows another: replicas show in SLOTS
   * and SHARDS only).
   */
  String nodes(HostPort self, long epoch) {
    String selfClusterId = ClusterCommands.clusterNodeId(selfNodeId);
    Map<String, HostPort> addresses = new TreeMap<>();
    Map<String, List<String>> served = new LinkedHashMap<>();
    for (GroupOwners group : layout.current()) {
      List<Endpoint> endpoints = endpoints(group, self);
      endpoints.forEach(e -> addresses.putIfAbsent(e.clusterId(), e.address()));
      group.slots().forEach(r -> served.computeIfAbsent(endpoints.get(0).clusterId(), id -> new ArrayList<>())
          .add(r.first() == r.last() ? Integer.toString(r.first()) : r.first() + "-" + r.last()));
    }
    StringBuilder out = new StringBuilder();
    addresses.forEach((id, address) -> {
      out.append(id).append(' ').append(address).append("@0 ")
          .append(id.equals(selfClusterId) ? "myself,master" : "master").append(" - 0 0 ").append(epoch)
          .append(" connected");
      served.getOrDefault(id, List.of()).forEach(range -> out.append(' ').append(range));
      out.append('\n');
    });
    return out.toString();
  }

  /** cluster_size is Redis': the nodes serving slots (each group's serving node, counted once). */
  String info(HostPort self, long epoch) {
    List<GroupOwners> groups = layout.current();
    long knownNodes = groups.stream().flatMap(g -> g.members().stream()).map(Owner::nodeId).distinct().count();
    long serving = groups.stream().map(g -> endpoints(g, self).get(0).clusterId()).distinct().count();
    return "cluster_enabled:1\r\ncluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n"
        + "cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:" + knownNodes + "\r\ncluster_size:"
        + serving + "\r\ncluster_current_epoch:" + epoch + "\r\ncluster_my_epoch:" + epoch + "\r\n";
  }

  /** The group's serving node first (its leader, or this node), then its other members with a RESP port. */
  private List<Endpoint> endpoints(GroupOwners group, HostPort self) {
    List<Endpoint> endpoints = new ArrayList<>();
    Endpoint first = group.leader().map(leader -> endpoint(leader, self)).orElse(null);
    if (first == null) {
      first = new Endpoint(ClusterCommands.clusterNodeId(selfNodeId), self);
    }
    endpoints.add(first);
    for (Owner owner : group.members()) {
      Endpoint endpoint = endpoint(owner, self);
      if (endpoint != null && !endpoint.clusterId().equals(first.clusterId())) {
        endpoints.add(endpoint);
      }
    }
    return endpoints;
  }

  /** Null: the member has no RESP port that this node knows of. */
  private Endpoint endpoint(Owner owner, HostPort self) {
    String clusterId = ClusterCommands.clusterNodeId(owner.nodeId());
    if (owner.nodeId().equals(selfNodeId)) {
      return new Endpoint(clusterId, self);
    }
    // A cluster-aware client belongs on the cluster port (-MOVED); a member's plain port routes as well.
    for (String address : List.of(owner.respClusterAddress(), owner.respAddress())) {
      if (!address.isEmpty() && !HostPort.of(address).wildcard()) {
        return new Endpoint(clusterId, HostPort.of(address));
      }
    }
    return null;
  }
}
