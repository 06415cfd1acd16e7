package dev.redraft.coordinator.api;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.SlotOwner;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.shard.SlotMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which group owns which slots and who serves each group, as this node sees it now: what the admin
 * call ClusterSlots and the RESP port's CLUSTER SLOTS / SHARDS / NODES answer, so that a client can
 * send a key straight to its group's leader.
 */
public final class SlotLayout {
  /** A member of a group with the addresses it published (empty until it did). */
  public record Owner(String nodeId, String apiAddress, String respAddress, String respClusterAddress, boolean leader,
      boolean voter) {}

  /** One group: its slots first..last, its leader (empty: none known here) and members, the leader first. */
  public record GroupOwners(int group, List<SlotMap.Range> slots, String leaderId, long term, List<Owner> members) {
    public Optional<Owner> leader() {
      return members.stream().filter(Owner::leader).findFirst();
    }
  }

  private final Supplier<SlotMap> map;
  private final List<RaftNode> groups;
  private final MemberDirectory members;

  /** @param map the slot map as this node knows it now; @param groups this node's replica of each group, group 0 first */
  public SlotLayout(Supplier<SlotMap> map, List<RaftNode> groups, MemberDirectory members) {
    if (map.get().groups() != groups.size()) {
      throw new IllegalArgumentException("a slot map of " + map.get().groups() + " groups for " + groups.size() + " groups");
    }
    this.map = map;
    this.groups = List.copyOf(groups);
    this.members = members;
  }

  public SlotMap map() {
    return map.get();
  }

  /**
   * Where a cluster-aware client finds {@code group}'s leader, cheaply (per command): empty when this node
   * knows no leader, leads the group itself, or the leader published no cluster port.
   */
  public Optional<String> otherLeadersClusterAddress(int group, String selfNodeId) {
    String leader = groups.get(group).brief().leaderId();
    if (leader.isEmpty() || leader.equals(selfNodeId)) {
      return Optional.empty();
    }
    return members.get(leader).map(MemberDirectory.MemberAddresses::respClusterAddress).filter(a -> !a.isEmpty());
  }

  public List<GroupOwners> current() {
    SlotMap slots = map.get();
    List<GroupOwners> layout = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      RaftStatus status = groups.get(g).status();
      List<Owner> owners = new ArrayList<>();
      for (String id : status.peers().keySet()) {
        Optional<MemberDirectory.MemberAddresses> addresses = members.get(id);
        owners.add(new Owner(id, addresses.map(MemberDirectory.MemberAddresses::apiAddress).orElse(""),
            addresses.map(MemberDirectory.MemberAddresses::respAddress).orElse(""),
            addresses.map(MemberDirectory.MemberAddresses::respClusterAddress).orElse(""), id.equals(status.leaderId()),
            !status.learners().contains(id)));
      }
      owners.sort(Comparator.comparing((Owner o) -> !o.leader()).thenComparing(Owner::nodeId));
      layout.add(new GroupOwners(g, slots.ranges(g), status.leaderId(), status.term(),
          List.copyOf(owners)));
    }
    return layout;
  }

  ClusterSlotsResponse toResponse(ResponseHeader header) {
    ClusterSlotsResponse.Builder response = ClusterSlotsResponse.newBuilder().setHeader(header);
    for (GroupOwners group : current()) {
      GroupSlots.Builder slots = GroupSlots.newBuilder()
          .setGroup(group.group())
          .addAllSlots(group.slots().stream()
              .map(r -> SlotRange.newBuilder().setFirst(r.first()).setLast(r.last()).build()).toList())
          .setLeaderId(group.leaderId())
          .setTerm(group.term());
      for (Owner owner : group.members()) {
        slots.addMembers(SlotOwner.newBuilder().setNodeId(owner.nodeId()).setApiAddress(owner.apiAddress())
            .setRespAddress(owner.respAddress()).setRespClusterAddress(owner.respClusterAddress())
            .setLeader(owner.leader()).setVoter(owner.voter()));
      }
      response.addGroups(slots);
    }
    return response.build();
  }
}
