package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.MembershipManager;
import dev.redraft.coordinator.raft.RaftNode;
import io.grpc.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin calls that change the membership (add, remove, promote a node), on the leader they concern: in
 * an unsharded cluster group 0's (forwarded there once if this node does not lead it); in a sharded one every
 * group's in turn ({@link ShardedMembership}, run on group 0's leader, one change at a time), each step a
 * one-group call on that group's leader.
 */
final class MembershipCalls {
  private static final Duration SELF_REMOVAL_HAND_OVER = Duration.ofSeconds(5);
  /** A forwarded sharded change's longest wait, when its caller set none shorter. */
  private static final Duration WHOLE_CHANGE_FORWARD_DEADLINE = Duration.ofMinutes(30);

  private final List<RaftNode> groups;
  private final HeaderFactory headers;
  /** An admin stub to a node (id) for a reason (for its errors): forwarded calls carry the forwarding mark. */
  private final BiFunction<String, String, AdminGrpc.AdminBlockingStub> forwardTo;
  private final ShardedMembership sharded;

  MembershipCalls(List<RaftNode> groups, HeaderFactory headers,
      BiFunction<String, String, AdminGrpc.AdminBlockingStub> forwardTo) {
    this.groups = List.copyOf(groups);
    this.headers = headers;
    this.forwardTo = forwardTo;
    this.sharded = new ShardedMembership(this.groups, new ShardedMembership.InGroup() {
      @Override
      public MembershipResponse add(AddNodeRequest request) {
        return addInGroup(request);
      }

      @Override
      public MembershipResponse remove(RemoveNodeRequest request) {
        return removeInGroup(request);
      }

      @Override
      public MembershipResponse promote(PromoteNodeRequest request) {
        return promoteInGroup(request);
      }
    });
  }

  // A sharded cluster's change runs on group 0's leader (forwarded there), which takes one at a time. The hop
  // waits as long as the caller does: the whole change (every group's step, a new node's catch-up in each)
  // may outlast the one-step forwarding deadline.
  MembershipResponse add(AddNodeRequest request) {
    return groups.size() > 1 && !request.getOneGroup()
        ? onLeader(0, stub -> wholeChange(stub).addNode(request), () -> apartFromTheCall(() -> sharded.add(request)))
        : addInGroup(request);
  }

  MembershipResponse remove(RemoveNodeRequest request) {
    return groups.size() > 1 && !request.getOneGroup()
        ? onLeader(0, stub -> wholeChange(stub).removeNode(request),
            () -> apartFromTheCall(() -> sharded.remove(request)))
        : removeInGroup(request);
  }

  MembershipResponse promote(PromoteNodeRequest request) {
    return groups.size() > 1 && !request.getOneGroup()
        ? onLeader(0, stub -> wholeChange(stub).promoteNode(request),
            () -> apartFromTheCall(() -> sharded.promote(request)))
        : promoteInGroup(request);
  }

  /** The stub for a whole sharded change: bounded by the caller's own deadline (gRPC takes the earlier one). */
  private static AdminGrpc.AdminBlockingStub wholeChange(AdminGrpc.AdminBlockingStub stub) {
    return stub.withDeadlineAfter(WHOLE_CHANGE_FORWARD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The addition in one group (group 0 of an unsharded cluster), on its leader. */
  private MembershipResponse addInGroup(AddNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.addNode(request), () -> {
      MembershipManager membership = groups.get(group).membership();
      if (!request.getOneGroup()) {
        return membershipResponse(membership.add(request.getNodeId(), request.getRaftAddress(), request.getLearner()));
      }
      // A sharded cluster's change may be asked again after it stopped midway: a group that has it (settled,
      // with the same address and role) is done; with another address or role it is refused.
      List<MembershipManager.Member> members = membership.settledMembers();
      Optional<MembershipManager.Member> there = members.stream()
          .filter(m -> m.id().equals(request.getNodeId())).findFirst();
      if (there.isEmpty()) {
        return membershipResponse(membership.add(request.getNodeId(), request.getRaftAddress(), request.getLearner()));
      }
      if (!there.get().raftAddress().equals(request.getRaftAddress()) || there.get().voter() == request.getLearner()) {
        throw new RefusedException("node " + request.getNodeId() + " is already a member of group " + group + " at "
            + there.get().raftAddress() + (there.get().voter() ? " (voter)" : " (learner)") + ": remove it first");
      }
      return membershipResponse(members);
    });
  }

  private MembershipResponse removeInGroup(RemoveNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.removeNode(request), () -> {
      if (request.getOneGroup()) {
        List<MembershipManager.Member> members = groups.get(group).membership().settledMembers();
        if (members.stream().noneMatch(m -> m.id().equals(request.getNodeId()))) {
          return membershipResponse(members); // removed by an earlier attempt
        }
      }
      return removeOnLeader(group, request);
    });
  }

  /**
   * A leader asked to remove itself first hands leadership to a voter it hears from, which then
   * removes it (as etcd does). Ratis would commit the new configuration, then the removed leader
   * steps down and the others elect a leader only after their election timeout: writes stalled for
   * 3.1-3.8 s in fault runs, against about one round for a hand-over.
   */
  private MembershipResponse removeOnLeader(int group, RemoveNodeRequest request) {
    MembershipManager membership = groups.get(group).membership();
    String self = groups.get(group).status().nodeId();
    if (request.getNodeId().equals(self)) {
      Set<String> reachable = membership.reachableMembers();
      Optional<String> next = membership.members().stream().filter(MembershipManager.Member::voter)
          .map(MembershipManager.Member::id).filter(id -> !id.equals(self) && reachable.contains(id)).findFirst();
      if (next.isPresent()) {
        String leader = membership.transferLeadership(next.get(), SELF_REMOVAL_HAND_OVER);
        return forwardTo.apply(leader.isEmpty() || leader.equals(self) ? next.get() : leader,
            "remove node " + self + " through the leader it handed over to").removeNode(request);
      }
    }
    return membershipResponse(membership.remove(request.getNodeId()));
  }

  private MembershipResponse promoteInGroup(PromoteNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.promoteNode(request), () -> {
      MembershipManager membership = groups.get(group).membership();
      if (request.getOneGroup()) {
        List<MembershipManager.Member> members = membership.settledMembers();
        if (members.stream().anyMatch(m -> m.id().equals(request.getNodeId()) && m.voter())) {
          return membershipResponse(members); // promoted by an earlier attempt
        }
      }
      return membershipResponse(membership.promote(request.getNodeId()));
    });
  }

  /**
   * Runs a sharded cluster's membership change apart from the caller's call: its steps (and their undo)
   * must not be cut off halfway by the caller's deadline or cancellation (a CLI interrupted, a client
   * timing out), which would leave the groups with different members. Its one-group steps are this node's
   * own calls: not marked as forwarded, even when the change itself was forwarded here.
   */
  private static MembershipResponse apartFromTheCall(Supplier<MembershipResponse> change) {
    Context apart = Context.current().fork().withValue(AdminService.FORWARDED, null);
    Context previous = apart.attach();
    try {
      return change.get();
    } finally {
      apart.detach(previous);
    }
  }

  private int groupOf(boolean oneGroup, int group) {
    if (oneGroup && (group < 0 || group >= groups.size())) {
      throw new InvalidRequestException("group " + group + " does not exist: this cluster has groups 0.."
          + (groups.size() - 1));
    }
    return oneGroup ? group : 0;
  }

  private MembershipResponse membershipResponse(List<MembershipManager.Member> current) {
    MembershipResponse.Builder response = MembershipResponse.newBuilder().setHeader(headers.header());
    current.forEach(m -> response.addMembers(Member.newBuilder()
        .setNodeId(m.id()).setRaftAddress(m.raftAddress()).setVoter(m.voter())));
    return response.build();
  }

  /** Runs {@code local} here if this node leads {@code group}, else forwards the call to its leader (once). */
  private <T> T onLeader(int group, Function<AdminGrpc.AdminBlockingStub, T> forward, Supplier<T> local) {
    RaftNode raft = groups.get(group);
    if (raft.membership().isLeader()) {
      return local.get();
    }
    String which = groups.size() == 1 ? "" : " of group " + group;
    String forwardedBy = AdminService.FORWARDED.get();
    if (forwardedBy != null) {
      throw new UnavailableException("node " + forwardedBy + " forwarded this call here, but node "
          + raft.status().nodeId() + " is not the leader" + which + " either (an election is under way?): retry");
    }
    String leader = raft.status().leaderId();
    if (leader.isEmpty()) {
      throw new UnavailableException("the cluster" + (which.isEmpty() ? "" : "'s group " + group)
          + " has no leader right now: retry in a few seconds");
    }
    return forward.apply(forwardTo.apply(leader, "run it on the leader" + which));
  }
}
