package dev.redraft.coordinator.chaos.harness;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.client.AdminRefusedException;
import dev.redraft.client.ClusterUnavailableException;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Injects one {@link FaultType} into a {@link ChaosCluster} and knows how to heal it. Membership
 * faults go through the admin API like an operator's {@code redraft member ...}; what a fault
 * proves wrong on the way (a change acknowledged by an isolated leader) goes to {@code problems}.
 */
public final class FaultInjector {
  /** Membership changes wait for a new member to catch up; the admin client retries UNAVAILABLE within this. */
  private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(90);
  /** How long a change sent to an isolated leader is given before it counts as not acknowledged. */
  private static final Duration ISOLATED_CHANGE_TIMEOUT = Duration.ofSeconds(6);
  /** How long the nodes left with a majority may take to elect a leader (election timeouts are 1-2 s). */
  private static final Duration ELECTION_BOUND = Duration.ofSeconds(30);

  /**
   * A fault in force: what was done, how to undo it, and the slots that cannot be expected to take
   * writes while it lasts (down, frozen, cut off from the leader or on the minority side, being
   * rebuilt or replaced): writes through every other slot must go on.
   */
  public record ActiveFault(FaultType type, String description, Runnable heal, Set<Integer> cutOff) {
    public ActiveFault {
      cutOff = Set.copyOf(cutOff);
    }
  }

  private final ChaosCluster cluster;
  private final Random random;
  private final Consumer<String> problems;
  private int replacements;

  public FaultInjector(ChaosCluster cluster, Random random, Consumer<String> problems) {
    this.cluster = cluster;
    this.random = random;
    this.problems = problems;
  }

  public ActiveFault inject(FaultType type) {
    if (type.changesMembership()) {
      // An operator changes membership on a healthy cluster: a node restarted by the previous fault
      // may still be starting, and the leader rightly refuses a removal that would rest on it.
      awaitEveryNodeServing();
    }
    Network network = cluster.network();
    int size = cluster.size();
    switch (type) {
      case PARTITION_ISOLATE_LEADER -> {
        int leader = leader();
        network.isolate(leader);
        return new ActiveFault(type, "isolated leader " + name(leader), network::healAll, Set.of(leader));
      }
      case PARTITION_MAJORITY_MINORITY -> {
        List<Integer> nodes = shuffledNodes();
        int minoritySize = (size - 1) / 2;
        List<Integer> minority = nodes.subList(0, minoritySize);
        List<Integer> majority = nodes.subList(minoritySize, size);
        network.partition(minority, majority);
        return new ActiveFault(type, "partition majority " + names(majority) + " | minority " + names(minority),
            network::healAll, Set.copyOf(minority));
      }
      case PARTITION_ONE_WAY -> {
        int leader = leader();
        boolean fromLeader = random.nextBoolean();
        for (int i = 0; i < size; i++) {
          if (i != leader) {
            if (fromLeader) {
              network.cutOneWay(leader, i);
            } else {
              network.cutOneWay(i, leader);
            }
          }
        }
        return new ActiveFault(type, "one-way cut " + (fromLeader ? "from leader " + name(leader) + " to the others"
            : "from the others to leader " + name(leader)), network::healAll,
            // Cut from the leader: the others elect a new one, which the old one cannot reach. Cut to
            // the leader: it keeps leading (its heartbeats and their replies flow) and no follower can
            // forward a write to it.
            fromLeader ? Set.of(leader) : others(leader));
      }
      case PAUSE_LEADER -> {
        int leader = leader();
        cluster.node(leader).pause();
        return new ActiveFault(type, "SIGSTOP leader " + name(leader), () -> cluster.node(leader).resume(),
            Set.of(leader));
      }
      case KILL_RESTART_COORDINATOR, KILL_RESTART_LEADER -> {
        boolean ofLeader = type == FaultType.KILL_RESTART_LEADER || random.nextBoolean();
        int victim = ofLeader ? leader() : follower();
        // Named by the role the victim reports the moment before the kill: leadership may have moved
        // since it was chosen (a node that had just taken over was once killed as "follower").
        String role = cluster.node(victim).status().map(s -> s.getRole().toLowerCase(java.util.Locale.ROOT))
            .orElse(ofLeader ? "leader" : "follower");
        cluster.node(victim).kill();
        return new ActiveFault(type, "SIGKILL " + role + " " + name(victim),
            () -> cluster.node(victim).start(), Set.of(victim));
      }
      case REDIS_DATA_LOSS -> {
        int victim = follower();
        cluster.redis(victim).restart();
        return new ActiveFault(type, "Redis of follower " + name(victim) + " killed and restarted empty", () -> {
          // The node notices by itself (applied-index marker gone), rebuilds its Redis from its own
          // snapshot and log, and serves again; the run's final checks compare every node's digest.
          Poll.until(name(victim) + " serving again after rebuilding its Redis", Duration.ofSeconds(60),
              () -> cluster.node(victim).status().filter(s -> s.getReady()).map(s -> true));
        }, Set.of(victim));
      }
      case CLOCK_SKEW -> {
        // libfaketime slows every clock call, so the node runs under it only during the fault: it
        // is restarted with the skewed clock, and restarted again with the real one to heal.
        int leader = leader();
        int victim = random.nextBoolean() ? leader : follower();
        int seconds = (5 + random.nextInt(56)) * (random.nextBoolean() ? 1 : -1);
        String offset = (seconds > 0 ? "+" : "") + seconds + "s";
        NodeProcess node = cluster.node(victim);
        node.kill();
        if (victim == leader) {
          // A JVM starting takes a core for seconds: on this 2-core machine, started during the election or
          // the new leader's first commits it held the others' failover up to ~0.8 s longer (write gaps of
          // 2.5-2.8 s where a leader killed alone took 1.3-2.4 s), a cost of running every node on one machine.
          // It starts once the others have a leader and that leader had a second to take over, and runs with
          // the skewed clock for the rest of the hold.
          Poll.until("a leader among the nodes other than " + name(victim), Duration.ofSeconds(30),
              () -> cluster.leader().filter(i -> i != victim));
          sleep(Duration.ofSeconds(1));
        }
        node.setClockOffset(offset);
        node.start();
        return new ActiveFault(type, "wall clock of " + name(victim) + " moved " + offset + " (restarted under libfaketime)",
            () -> {
              node.kill();
              node.setClockOffset(null);
              node.start();
            }, Set.of(victim));
      }
      case MEMBER_REMOVE_READD -> {
        int leader = leader();
        int victim = random.nextBoolean() ? leader : follower();
        String role = victim == leader ? "leader " : "follower ";
        String id = cluster.node(victim).nodeId();
        // The removed node keeps running through the hold, as when an operator removes a live node.
        removeNode(id, victim);
        return new ActiveFault(type, "removed " + role + id + " (still running); re-added wiped on heal",
            () -> rejoin(victim, id), Set.of(victim));
      }
      case MEMBER_REPLACE -> {
        int leader = leader();
        int victim = random.nextBoolean() ? leader : follower();
        String role = victim == leader ? "leader " : "follower ";
        String oldId = cluster.node(victim).nodeId();
        String newId = Network.name(victim) + "r" + (++replacements);
        // A machine lost for good: its node dies first, then the operator removes it and adds a new one.
        cluster.node(victim).kill();
        removeNode(oldId, victim);
        return new ActiveFault(type, "killed and removed " + role + oldId + "; replaced on heal by " + newId
            + " (fresh id, empty storage)", () -> rejoin(victim, newId), Set.of(victim));
      }
      case MEMBER_CHANGE_DURING_PARTITION -> {
        return changeMembershipDuringPartition(type);
      }
      case SLOT_MOVE_KILL_LEADER, SLOT_MOVE_ISOLATE_LEADER -> {
        return moveSlotsAndHitALeader(type);
      }
      case MEMBER_ADD_THEN_ISOLATE_LEADER -> {
        return isolateLeaderRightAfterAnAddition(type);
      }
    }
    throw new IllegalArgumentException("unknown fault " + type);
  }

  /**
   * Jepsen's RedisRaft finding (lost updates when membership changed during a partition): the
   * leader is isolated and at once asked to remove a follower (it must not acknowledge that: it
   * cannot commit anything); the majority elects a new leader, which removes the old one. On heal
   * the old leader is wiped and added back. The run's final checks then find every acknowledged
   * write, and every slot's node a voter again.
   */
  private ActiveFault changeMembershipDuringPartition(FaultType type) {
    int old = leader();
    String oldId = cluster.node(old).nodeId();
    int target = follower();
    String targetId = cluster.node(target).nodeId();
    cluster.network().isolate(old);
    String toIsolated;
    try (RedraftClient viaIsolated = cluster.clientBuilder(List.of(cluster.node(old).apiAddress()))
        .retryPolicy(RetryPolicy.noRetries()).requestTimeout(ISOLATED_CHANGE_TIMEOUT).build()) {
      MembershipResponse acknowledged = viaIsolated.admin().removeNode(targetId);
      problems.accept("the isolated leader " + oldId + " acknowledged the removal of " + targetId
          + " although it could not reach a majority; members it reported: " + ids(acknowledged));
      toIsolated = "ACKNOWLEDGED (a bug)";
    } catch (RuntimeException notAcknowledged) {
      toIsolated = "not acknowledged (" + firstLine(notAcknowledged) + ")";
    }
    List<Integer> majority = IntStream.range(0, cluster.size()).filter(i -> i != old).boxed().toList();
    int newLeader = Poll.until("a leader among the majority " + names(majority), Duration.ofSeconds(60),
        () -> majority.stream().filter(i -> cluster.node(i).status()
            .map(s -> s.getRole().equals("LEADER")).orElse(false)).findFirst());
    removeNode(oldId, old);
    return new ActiveFault(type, "isolated leader " + oldId + "; removal of " + targetId + " sent to it: " + toIsolated
        + "; " + cluster.node(newLeader).nodeId() + " (new leader) removed " + oldId + "; re-added wiped on heal", () -> {
          cluster.node(old).kill();
          cluster.network().healAll();
          rejoin(old, oldId);
        }, Set.of(old));
  }

  /**
   * A follower is removed and added back wiped, and the leader is cut off the moment the addition is
   * acknowledged: the new voter has not caught up yet and is part of every majority of the new
   * configuration, so the other two (one of them the new voter) must still elect a leader. An earlier
   * run that isolated the leader 0.5 s after an addition saw none for 60 s; this fault reproduces it.
   */
  private ActiveFault isolateLeaderRightAfterAnAddition(FaultType type) {
    int victim = follower();
    String id = cluster.node(victim).nodeId();
    removeNode(id, victim);
    addEmpty(victim, id);
    int leader = leader();  // again: an election may have happened meanwhile
    cluster.network().isolate(leader);
    long isolated = System.nanoTime();
    List<Integer> others = IntStream.range(0, cluster.size()).filter(i -> i != leader).boxed().toList();
    String outcome;
    try {
      int newLeader = Poll.until("a leader among " + names(others) + " (" + id + " just added)", ELECTION_BOUND,
          () -> others.stream().filter(i -> cluster.node(i).status()
              .map(s -> s.getRole().equals("LEADER")).orElse(false)).findFirst());
      outcome = name(newLeader) + " elected after " + (System.nanoTime() - isolated) / 1_000_000 + " ms";
    } catch (AssertionError noLeader) {
      problems.accept("no leader among " + names(others) + " within " + ELECTION_BOUND.toSeconds() + " s after leader "
          + name(leader) + " was isolated right after " + id + " was added back:\n" + cluster.describe());
      outcome = "NO LEADER within " + ELECTION_BOUND.toSeconds() + " s";
    }
    return new ActiveFault(type, "removed follower " + id + ", added it back wiped, isolated leader " + name(leader)
        + " at once: " + outcome, () -> {
          cluster.network().healAll();
          awaitCaughtUp(victim, id);
        }, Set.of(victim, leader));
  }

  /**
   * Starts moving half of a group's first slot range to another group, and kills (or cuts off) the leader
   * of group 0 (the move's driver), of the source or of the target as it starts. Heal: the node starts again
   * (or is reconnected) and the move must have finished (asked again through the other nodes until it has:
   * a move resumes by itself).
   */
  private ActiveFault moveSlotsAndHitALeader(FaultType type) {
    boolean kill = type == FaultType.SLOT_MOVE_KILL_LEADER;
    int groups = cluster.groups();
    if (groups < 2) {
      throw new IllegalStateException(type + " needs a sharded cluster (-Dchaos.groups=3)");
    }
    ClusterSlotsResponse layout;
    try (RedraftClient admin = adminClient(-1)) {
      layout = admin.admin().clusterSlots();
    }
    List<GroupSlots> withSlots = layout.getGroupsList().stream().filter(g -> g.getSlotsCount() > 0).toList();
    GroupSlots source = withSlots.get(random.nextInt(withSlots.size()));
    int target = (source.getGroup() + 1 + random.nextInt(groups - 1)) % groups;
    SlotRange range = source.getSlots(0);
    SlotRange moved = SlotRange.newBuilder().setFirst(range.getFirst())
        .setLast(range.getFirst() + (range.getLast() - range.getFirst()) / 2).build();
    String victimRole = List.of("group 0", "source", "target").get(random.nextInt(3));
    String victimId = switch (victimRole) {
      case "group 0" -> layout.getGroups(0).getLeaderId();
      case "source" -> source.getLeaderId();
      default -> layout.getGroups(target).getLeaderId();
    };
    int victim = IntStream.range(0, cluster.size()).filter(i -> cluster.node(i).nodeId().equals(victimId))
        .findFirst().orElseGet(this::leader);
    String what = "slots " + moved.getFirst() + "-" + moved.getLast() + " moved from group " + source.getGroup()
        + " to group " + target + ", " + (kill ? "SIGKILL of" : "cut off") + " the " + victimRole + " leader "
        + name(victim);
    java.util.concurrent.CompletableFuture<MoveSlotsResponse> move = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try (RedraftClient admin = adminClient(victim)) {
        // Asked again while the node that answered or drove it is down: a move resumes by itself.
        return Poll.until("the move of " + what, MEMBERSHIP_TIMEOUT, () -> {
          try {
            return java.util.Optional.of(admin.admin().moveSlots(List.of(moved), target));
          } catch (RuntimeException notYet) {
            return java.util.Optional.empty();
          }
        });
      }
    });
    // Hit the leader once the move is recorded in group 0 (or already over).
    Poll.until("the move of " + what + " to begin", Duration.ofSeconds(10), () ->
        move.isDone() || moveRecorded() ? java.util.Optional.of(true) : java.util.Optional.empty());
    if (kill) {
      cluster.node(victim).kill();
    } else {
      cluster.network().isolate(victim);
    }
    return new ActiveFault(type, what, () -> {
      if (kill) {
        cluster.node(victim).start();
      } else {
        cluster.network().healAll();
      }
      try {
        MoveSlotsResponse done = move.get(MEMBERSHIP_TIMEOUT.toSeconds() + 30, java.util.concurrent.TimeUnit.SECONDS);
        if (done.getTargetGroup() != target) {
          problems.accept(what + ": the move answered target group " + done.getTargetGroup());
        }
      } catch (Exception e) {
        problems.accept(what + ": the move did not finish (" + firstLine(e) + ")");
      }
    }, Set.of(victim));
  }

  /** True if a running node's replica of group 0 holds a slot move in progress. */
  private boolean moveRecorded() {
    for (int i = 0; i < cluster.size(); i++) {
      try (redis.clients.jedis.Jedis jedis = cluster.redis(i, 0).jedis()) {
        if (jedis.exists("__redraft:slot-moves")) {
          return true;
        }
      } catch (RuntimeException down) {
        // that node's Redis is not up: ask the next
      }
    }
    return false;
  }

  private void awaitEveryNodeServing() {
    Poll.until("every node serving before a membership change", Duration.ofSeconds(90),
        () -> cluster.statuses().stream().allMatch(s -> s.map(m -> m.getReady()).orElse(false))
            ? java.util.Optional.of(true) : java.util.Optional.empty());
  }

  /** Removes a node through the other nodes' admin API (any of them forwards to the leader). */
  private void removeNode(String nodeId, int slot) {
    try (RedraftClient admin = adminClient(slot)) {
      // The leader refuses a removal that would rest on a voter it has not heard from lately, e.g. one
      // restarted by the previous fault that its log appender has not reached again yet (Ratis backs
      // off up to 5 s between attempts): as an operator would, wait for it and ask again.
      MembershipResponse response = Poll.until("the leader accepting the removal of " + nodeId, Duration.ofSeconds(60),
          () -> {
            try {
              return java.util.Optional.of(admin.admin().removeNode(nodeId));
            } catch (AdminRefusedException refused) {
              if (refused.getMessage().contains("is not a member")) {
                // An attempt the client retried (its reply was lost to a leader change) had removed it.
                return java.util.Optional.of(MembershipResponse.getDefaultInstance());
              }
              if (!refused.getMessage().contains("reachable")) {
                throw refused;
              }
              return java.util.Optional.empty();
            } catch (ClusterUnavailableException electing) {
              return java.util.Optional.empty(); // no leader for a while (an election after the previous fault)
            }
          });
      if (response.getMembersList().stream().anyMatch(m -> m.getNodeId().equals(nodeId))) {
        problems.accept("removal of " + nodeId + " was acknowledged but it is still a member: " + ids(response));
      }
    }
  }

  /**
   * Puts an empty node with Raft id {@code nodeId} in a slot, adds it as a voter and waits until it
   * serves: the node catches up from the leader's snapshot and log.
   */
  private void rejoin(int slot, String nodeId) {
    addEmpty(slot, nodeId);
    awaitCaughtUp(slot, nodeId);
  }

  /** Puts an empty node with Raft id {@code nodeId} in a slot and adds it as a voter; returns once acknowledged. */
  private void addEmpty(int slot, String nodeId) {
    NodeProcess node = cluster.startEmpty(slot, nodeId);
    // As cluster.sh add-node does: the leader gives a new peer about a second to answer, so the new
    // node's JVM must be up before it is added (a loaded machine took longer; the soak stopped there).
    Poll.until(nodeId + " listening before it is added", Duration.ofSeconds(90),
        () -> node.listening() ? java.util.Optional.of(true) : java.util.Optional.empty());
    try (RedraftClient admin = adminClient(slot)) {
      try {
        MembershipResponse response = Poll.until("the leader accepting " + nodeId, Duration.ofSeconds(60), () -> {
          try {
            return java.util.Optional.of(admin.admin().addNode(nodeId, cluster.raftAddress(slot), false));
          } catch (ClusterUnavailableException electing) {
            return java.util.Optional.empty(); // no leader for a while (an election after the previous fault)
          }
        });
        if (response.getMembersList().stream().noneMatch(m -> m.getNodeId().equals(nodeId) && m.getVoter())) {
          problems.accept("addition of " + nodeId + " was acknowledged but it is not a voter: " + ids(response));
        }
      } catch (AdminRefusedException refused) {
        if (!refused.getMessage().contains("is already a member")) {
          throw refused;
        }
        // An attempt the client retried (its reply was lost to a leader change) had added it; the
        // run's final check still requires it to be a voter.
      }
    }
  }

  private void awaitCaughtUp(int slot, String nodeId) {
    NodeProcess node = cluster.node(slot);
    Poll.until(nodeId + " serving after joining", Duration.ofSeconds(90),
        () -> node.status().filter(s -> s.getReady()).map(s -> true));
    // As an operator waits for lag 0 in `redraft member list` before the next change: a new voter that
    // has not caught up yet is part of every majority. (A run that isolated the leader 0.5 s after an
    // addition saw no election among the other two for 60 s: an open finding, see the issue 5 note.)
    long target = leaderCommitIndex();
    Poll.until(nodeId + " caught up to commit index " + target, Duration.ofSeconds(90),
        () -> node.status().filter(s -> s.getAppliedIndex() >= target).map(s -> true));
  }

  private long leaderCommitIndex() {
    int leader = leader();
    return cluster.node(leader).status().map(s -> s.getCommitIndex()).orElse(0L);
  }

  /** An admin client through every slot but {@code excluded} (a node that is down, removed or joining). */
  private RedraftClient adminClient(int excluded) {
    List<String> endpoints = IntStream.range(0, cluster.size()).filter(i -> i != excluded)
        .mapToObj(i -> cluster.node(i).apiAddress()).toList();
    return cluster.clientBuilder(endpoints).requestTimeout(MEMBERSHIP_TIMEOUT).build();
  }

  private static String ids(MembershipResponse response) {
    return response.getMembersList().stream().map(Member::getNodeId).toList().toString();
  }

  /** The kind of failure, e.g. "OutcomeUnknownException: DEADLINE_EXCEEDED", short enough for a summary line. */
  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    java.util.regex.Matcher code = java.util.regex.Pattern.compile("[A-Z][A-Z_]{5,}").matcher(message);
    return e.getClass().getSimpleName() + (code.find() ? ": " + code.group() : "");
  }

  private int leader() {
    return cluster.awaitLeader(Duration.ofSeconds(30));
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while injecting a fault", e);
    }
  }

  private int follower() {
    int leader = leader();
    List<Integer> followers = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i != leader) {
        followers.add(i);
      }
    }
    return followers.get(random.nextInt(followers.size()));
  }

  private Set<Integer> others(int node) {
    return IntStream.range(0, cluster.size()).filter(i -> i != node).boxed().collect(java.util.stream.Collectors.toSet());
  }

  private List<Integer> shuffledNodes() {
    List<Integer> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      nodes.add(i);
    }
    java.util.Collections.shuffle(nodes, random);
    return nodes;
  }

  private static String name(int node) {
    return Network.name(node);
  }

  private static String names(List<Integer> nodes) {
    return nodes.stream().map(Network::name).toList().toString();
  }
}
