package dev.redraft.coordinator.api;

import com.google.protobuf.Message;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A membership change of a sharded cluster, whose groups all have the same members: made in every group,
 * one after another, each on that group's leader (asked through {@code inGroup}: here, or forwarded). A node
 * is added to group 0 first (it holds the node registrations) and removed from it last (a node learns it was
 * removed from group 0's configuration). Each group's leader answers a step it already made (by an earlier
 * attempt: same address and role, configuration settled) with the membership, so asking again finishes a
 * change that stopped midway. An addition a group refuses is undone in the groups it reached (the node then
 * stops serving them: it must be wiped before it is added again); a removal is not undone (a removed node
 * stops serving for good) but finished by asking again.
 *
 * <p>One change at a time: {@link MembershipCalls} runs every change of a sharded cluster on group 0's
 * leader, and this refuses a change while another runs (a removal of a node interleaved with its addition,
 * group by group, could leave it a member of some groups only). A change running when group 0's leader
 * changes is not seen by the new leader, which then takes another one: each group's own change stays a
 * correct Raft configuration change either way.
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

  private final int groupCount;
  private final IntFunction<List<MembershipManager.Member>> membersOf;
  private final InGroup inGroup;
  /** The change in progress here, null when none. */
  private final AtomicReference<Running> running = new AtomicReference<>();

  /** What a change does, what it was asked as, since when (nanoTime), and its outcome once it ends. */
  private record Running(String what, Message asked, long sinceNanos, CompletableFuture<MembershipResponse> outcome) {}

  ShardedMembership(List<RaftNode> groups, InGroup inGroup) {
    this(groups.size(), g -> groups.get(g).membership().members(), inGroup);
  }

  /** @param membersOf each group's members as this node knows them */
  ShardedMembership(int groupCount, IntFunction<List<MembershipManager.Member>> membersOf, InGroup inGroup) {
    this.groupCount = groupCount;
    this.membersOf = membersOf;
    this.inGroup = inGroup;
  }

  MembershipResponse add(AddNodeRequest request) {
    return alone("adding node " + request.getNodeId(), request, () -> addInEveryGroup(request));
  }

  MembershipResponse remove(RemoveNodeRequest request) {
    return alone("removing node " + request.getNodeId(), request, () -> removeFromEveryGroup(request));
  }

  MembershipResponse promote(PromoteNodeRequest request) {
    return alone("promoting node " + request.getNodeId(), request, () -> promoteInEveryGroup(request));
  }

  /**
   * Runs {@code change} unless another change runs here: then refuses it, naming that one. The same change
   * asked again while it runs (a caller whose forwarded call was cut off asks again) waits for it and gets
   * its outcome, as it would from the groups' leaders once it has ended.
   */
  private MembershipResponse alone(String what, Message asked, Supplier<MembershipResponse> change) {
    Running mine = new Running(what, asked, System.nanoTime(), new CompletableFuture<>());
    Running other = running.compareAndExchange(null, mine);
    if (other != null && other.asked().equals(asked)) {
      return outcomeOf(other);
    }
    if (other != null) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(mine.sinceNanos() - other.sinceNanos());
      throw new RefusedException(what + " refused: another membership change is in progress (" + other.what()
          + ", for " + seconds + " s): ask again once it has ended ('redraft member list' shows the members)");
    }
    MembershipResponse response;
    try {
      response = change.get();
    } catch (RuntimeException | Error e) {
      running.set(null);
      mine.outcome().completeExceptionally(e);
      throw e;
    }
    // Ended before its outcome is told: a caller that has it may ask for the next change at once.
    running.set(null);
    mine.outcome().complete(response);
    return response;
  }

  /** The outcome of a change in progress, as its own caller gets it (each step of a change is bounded). */
  private static MembershipResponse outcomeOf(Running change) {
    try {
      return change.outcome().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw e;
    }
  }

  private MembershipResponse addInEveryGroup(AddNodeRequest request) {
    String id = request.getNodeId();
    List<Integer> reached = new ArrayList<>();
    MembershipResponse last = null;
    for (int g = 0; g < groupCount; g++) {
      AddNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      reached.add(g); // counted before the step: a step whose outcome is unknown is undone too
      try {
        last = retried(g, () -> inGroup.add(one));
      } catch (RuntimeException e) {
        if (isRefusal(e)) {
          reached.remove(reached.size() - 1); // refused: nothing changed in that group
        }
        String undone = undo(reached, d -> inGroup.remove(RemoveNodeRequest.newBuilder().setNodeId(id)
            .setOneGroup(true).setGroup(d).build()));
        throw failed("adding node " + id, g, e, undone + (reached.isEmpty() ? "" : "; the node left the groups it had"
            + " joined and stops serving them: wipe its data and start it again before adding it again"));
      }
    }
    return last;
  }

  /**
   * Removes the node from every group, group 0 last. Not undone if a group refuses: a node removed from a
   * group stops serving it for good, so the removal goes on when asked again instead.
   */
  private MembershipResponse removeFromEveryGroup(RemoveNodeRequest request) {
    String id = request.getNodeId();
    if (IntStream.range(0, groupCount).allMatch(g -> member(g, id).isEmpty())) {
      throw new RefusedException("node " + id + " is not a member of any Raft group of this cluster (members: "
          + membersOf.apply(0).stream().map(MembershipManager.Member::id).toList() + ")");
    }
    List<Integer> done = new ArrayList<>();
    MembershipResponse last = null;
    for (int g = groupCount - 1; g >= 0; g--) {
      RemoveNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      try {
        last = retried(g, () -> inGroup.remove(one));
        done.add(g);
      } catch (RuntimeException e) {
        throw failed("removing node " + id, g, e, done.isEmpty() ? "; no group was changed"
            : "; it was removed from groups " + done + " (it stops serving them): ask again to finish the removal");
      }
    }
    return last;
  }

  private MembershipResponse promoteInEveryGroup(PromoteNodeRequest request) {
    String id = request.getNodeId();
    MembershipResponse last = null;
    for (int g = 0; g < groupCount; g++) {
      PromoteNodeRequest one = request.toBuilder().setOneGroup(true).setGroup(g).build();
      try {
        last = retried(g, () -> inGroup.promote(one));
      } catch (RuntimeException e) {
        // A learner in the groups not done yet is harmless (it replicates, it does not vote): asking again
        // finishes the promotion.
        throw failed("promoting node " + id, g, e, g == 0 ? "; no group was changed" : "; groups 0-" + (g - 1)
            + " have it as a voter already, the others as a learner: ask again to finish");
      }
    }
    return last;
  }

  private Optional<MembershipManager.Member> member(int group, String id) {
    return membersOf.apply(group).stream().filter(m -> m.id().equals(id)).findFirst();
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

  /** Undoes the change in {@code done} (newest first); says what was undone and what could not be. */
  private static String undo(List<Integer> done, Function<Integer, MembershipResponse> reverse) {
    if (done.isEmpty()) {
      return "; no group was changed";
    }
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
    String groupsDone = done.stream().map(String::valueOf).collect(Collectors.joining(", "));
    return failed.isEmpty() ? "; the change in groups " + groupsDone + " was undone, so every group has the members"
        + " it had" : "; groups " + groupsDone + " were changed, and undoing it failed in groups " + failed
        + ": remove the node again (the removal finishes in every group)";
  }

  /** True for a group's answer that it did not make the change (not an outcome unknown). */
  private static boolean isRefusal(RuntimeException e) {
    Throwable root = Causes.unwrap(e);
    if (root instanceof StatusRuntimeException s) {
      Status.Code code = s.getStatus().getCode();
      return code == Status.Code.FAILED_PRECONDITION || code == Status.Code.INVALID_ARGUMENT
          || code == Status.Code.ALREADY_EXISTS || code == Status.Code.NOT_FOUND;
    }
    return root instanceof RefusedException || root instanceof dev.redraft.coordinator.errors.InvalidRequestException;
  }

  private static RuntimeException failed(String what, int group, RuntimeException cause, String after) {
    Throwable root = Causes.unwrap(cause);
    String message = what + " failed in Raft group " + group + " (" + (root instanceof StatusRuntimeException s
        ? s.getStatus().getDescription() : root.getMessage()) + ")" + after;
    boolean retryable = root instanceof UnavailableException
        || (root instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE);
    return retryable ? new UnavailableException(message) : new RefusedException(message);
  }
}
