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

/**
 * Which group owns which slots and who serves each group, as this node sees it now: what the admin
 * call ClusterSlots and the RESP port's CLUSTER SLOTS / SHARDS / NODES answer, so that a client can
 * send a key straight to its group's leader.
 */
public final class SlotLayout {
  /** A member of a group with the addresses it published (empty until it did). */
  public record Owner(String nodeId, String apiAddress, String respAddress, boolean leader, boolean voter) {}

  /** One group: its slots first..last, its leader (empty: none known here) and members, the leader first. */
  public record GroupOwners(int group, int firstSlot, int lastSlot, String leaderId, long term, List<Owner> members) {
    public Optional<Owner> leader() {
      return members.stream().filter(Owner::leader).findFirst();
    }
  }

  private final SlotMap map;
  private final List<RaftNode> groups;
  private final MemberDirectory members;

  /** @param groups this node's replica of each group, group 0 first */
  public SlotLayout(SlotMap map, List<RaftNode> groups, MemberDirectory members) {
    if (map.groups() != groups.size()) {
      throw new IllegalArgumentException("a slot map of " + map.groups() + " groups for " + groups.size() + " groups");
    }
    this.map = map;
    this.groups = List.copyOf(groups);
    this.members = members;
  }

  public SlotMap map() {
    return map;
  }

  public List<GroupOwners> current() {
    List<GroupOwners> layout = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      RaftStatus status = groups.get(g).status();
      List<Owner> owners = new ArrayList<>();
      for (String id : status.peers().keySet()) {
        Optional<MemberDirectory.MemberAddresses> addresses = members.get(id);
        owners.add(new Owner(id, addresses.map(MemberDirectory.MemberAddresses::apiAddress).orElse(""),
            addresses.map(MemberDirectory.MemberAddresses::respAddress).orElse(""), id.equals(status.leaderId()),
            !status.learners().contains(id)));
      }
      owners.sort(Comparator.comparing((Owner o) -> !o.leader()).thenComparing(Owner::nodeId));
      layout.add(new GroupOwners(g, map.firstSlot(g), map.lastSlot(g), status.leaderId(), status.term(),
          List.copyOf(owners)));
    }
    return layout;
  }

  ClusterSlotsResponse toResponse(ResponseHeader header) {
    ClusterSlotsResponse.Builder response = ClusterSlotsResponse.newBuilder().setHeader(header);
    for (GroupOwners group : current()) {
      GroupSlots.Builder slots = GroupSlots.newBuilder()
          .setGroup(group.group())
          .addSlots(SlotRange.newBuilder().setFirst(group.firstSlot()).setLast(group.lastSlot()))
          .setLeaderId(group.leaderId())
          .setTerm(group.term());
      for (Owner owner : group.members()) {
        slots.addMembers(SlotOwner.newBuilder().setNodeId(owner.nodeId()).setApiAddress(owner.apiAddress())
            .setRespAddress(owner.respAddress()).setLeader(owner.leader()).setVoter(owner.voter()));
      }
      response.addGroups(slots);
    }
    return response.build();
  }
}
