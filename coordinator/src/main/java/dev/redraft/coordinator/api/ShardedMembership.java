package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.MembershipManager;
import dev.redraft.coordinator.raft.RaftNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A membership change of a sharded cluster, whose groups all have the same members: made in every group,
 * one after another, each on that group's leader (asked through {@code inGroup}: here, or forwarded), and
 * undone in the groups already changed if one refuses, so the groups keep one membership. A node is added
 * to group 0 first (it holds the node registrations) and removed from it last (a node learns it was
 * removed from group 0's configuration). A group that already has the change (a retry of a change that
 * stopped midway) is skipped, so asking again finishes it.
 */
final class ShardedMembership {
  /** How long one group's step may be retried while its leader changes (UNAVAILABLE). */
  private static final long LEADER_CHANGE_RETRY_MS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(ShardedMembership.class);

  /** One group's change on its leader: the request (one_group and group set) to the membership it leaves. */
  interface InGroup {
    MembershipResponse add(AddNodeRequest request);

    MembershipResponse remove(RemoveNodeRequest request);

    MembershipResponse promote(PromoteNodeRequest request);
  }

  private final List<RaftNode> groups;
  private final InGroup inGroup;

  ShardedMembership(List<RaftNode> groups, InGroup inGroup) {
    this.groups = List.copyOf(groups);
    this.inGroup = inGroup;
  }

  MembershipResponse add(AddNodeRequest request) {
    String id = request.getNodeId();
    List<Integer> done = new ArrayList<>();
    MembershipResponse last = null;
    for (int g = 0; g < groups.size(); g++) {
      if (member(g, id).isPresent()) {
        continue; // added by an earlier attempt
      }
      AddNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      try {
        last = retried(g, () -> inGroup.add(one));
        done.add(g);
      } catch (RuntimeException e) {
        String undone = undo(done, d -> inGroup.remove(RemoveNodeRequest.newBuilder().setNodeId(id).setOneGroup(true)
            .setGroup(d).build()));
        throw refused("adding node " + id, g, e, undone);
      }
    }
    return last != null ? last : retried(0, () -> inGroup.add(request.toBuilder().setOneGroup(true).setGroup(0)
        .build())); // every group had it already: group 0 answers (as a repeated add of an unsharded cluster)
  }

  MembershipResponse remove(RemoveNodeRequest request) {
    String id = request.getNodeId();
    if (IntStream.range(0, groups.size()).allMatch(g -> member(g, id).isEmpty())) {
      throw new RefusedException("node " + id + " is not a member of any Raft group of this cluster (members: "
          + groups.get(0).membership().members().stream().map(MembershipManager.Member::id).toList() + ")");
    }
    List<Integer> done = new ArrayList<>();
    List<MembershipManager.Member> before = new ArrayList<>();
    MembershipResponse last = null;
    for (int g = groups.size() - 1; g >= 0; g--) {
      Optional<MembershipManager.Member> member = member(g, id);
      if (member.isEmpty() && g > 0) {
        continue; // removed by an earlier attempt
      }
      member.ifPresent(before::add);
      RemoveNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      try {
        last = retried(g, () -> inGroup.remove(one));
        done.add(g);
      } catch (RuntimeException e) {
        MembershipManager.Member was = before.isEmpty() ? null : before.get(0);
        String undone = was == null ? "" : undo(done, d -> inGroup.add(AddNodeRequest.newBuilder().setNodeId(id)
            .setRaftAddress(was.raftAddress()).setLearner(!was.voter()).setOneGroup(true).setGroup(d).build()));
        throw refused("removing node " + id, g, e, undone);
      }
    }
    return last;
  }

  MembershipResponse promote(PromoteNodeRequest request) {
    String id = request.getNodeId();
    MembershipResponse last = null;
    for (int g = 0; g < groups.size(); g++) {
      if (member(g, id).map(MembershipManager.Member::voter).orElse(false) && g > 0) {
        continue; // promoted by an earlier attempt
      }
      PromoteNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      try {
        last = retried(g, () -> inGroup.promote(one));
      } catch (RuntimeException e) {
        // A learner in the groups not done yet is harmless (it replicates, it does not vote): asking again
        // finishes the promotion.
        throw refused("promoting node " + id, g, e, g == 0 ? "" : "; groups 0-" + (g - 1) + " have it as a voter"
            + " already, the others as a learner: ask again to finish");
      }
    }
    return last;
  }

  private Optional<MembershipManager.Member> member(int group, String id) {
    return groups.get(group).membership().members().stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** One group's step, again while that group has no leader or changes leader (bounded). */
  private static MembershipResponse retried(int group, java.util.function.Supplier<MembershipResponse> step) {
    long giveUpAt = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(LEADER_CHANGE_RETRY_MS);
    long pauseMs = 100;
    while (true) {
      try {
        return step.get();
      } catch (RuntimeException e) {
        Throwable cause = Causes.unwrap(e);
        boolean leaderMoving = cause instanceof UnavailableException
            || (cause instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE);
        if (!leaderMoving || System.nanoTime() > giveUpAt) {
          throw e;
        }
        LOG.info("group {}: membership step not taken now ({}); again in {} ms", group, cause.getMessage(), pauseMs);
        try {
          Thread.sleep(pauseMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseMs = Math.min(1_000, pauseMs * 2);
      }
    }
  }

  /** Undoes the change in {@code done} (newest first); says what could not be undone. */
  private static String undo(List<Integer> done, Function<Integer, MembershipResponse> reverse) {
    List<Integer> failed = new ArrayList<>();
    for (int i = done.size() - 1; i >= 0; i--) {
      int group = done.get(i);
      try {
        retried(group, () -> reverse.apply(group));
      } catch (RuntimeException e) {
        LOG.warn("group {}: could not undo a membership change ({})", group, Causes.unwrap(e).getMessage());
        failed.add(group);
      }
    }
    if (done.isEmpty()) {
      return "; no group was changed";
    }
    String groupsDone = done.stream().map(String::valueOf).collect(Collectors.joining(", "));
    return failed.isEmpty() ? "; groups " + groupsDone + " were changed and are undone: nothing changed"
        : "; groups " + groupsDone + " were changed, and undoing it failed in groups " + failed + ": ask again (the"
        + " same change finishes in every group) or reverse it";
  }

  private static RuntimeException refused(String what, int group, RuntimeException cause, String undone) {
    Throwable root = Causes.unwrap(cause);
    String message = what + " failed in Raft group " + group + " (" + (root instanceof StatusRuntimeException s
        ? s.getStatus().getDescription() : root.getMessage()) + ")" + undone;
    return root instanceof UnavailableException ? new UnavailableException(message) : new RefusedException(message);
  }
}
