package dev.redraft.coordinator.chaos.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Injects one {@link FaultType} into a {@link ChaosCluster} and knows how to heal it. */
public final class FaultInjector {
  /** A fault in force: what was done, and how to undo it. */
  public record ActiveFault(FaultType type, String description, Runnable heal) {}

  private final ChaosCluster cluster;
  private final Random random;

  public FaultInjector(ChaosCluster cluster, Random random) {
    this.cluster = cluster;
    this.random = random;
  }

  public ActiveFault inject(FaultType type) {
    Network network = cluster.network();
    int size = cluster.size();
    switch (type) {
      case PARTITION_ISOLATE_LEADER -> {
        int leader = leader();
        network.isolate(leader);
        return new ActiveFault(type, "isolated leader " + name(leader), network::healAll);
      }
      case PARTITION_MAJORITY_MINORITY -> {
        List<Integer> nodes = shuffledNodes();
        int minoritySize = (size - 1) / 2;
        List<Integer> minority = nodes.subList(0, minoritySize);
        List<Integer> majority = nodes.subList(minoritySize, size);
        network.partition(minority, majority);
        return new ActiveFault(type, "partition majority " + names(majority) + " | minority " + names(minority),
            network::healAll);
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
            : "from the others to leader " + name(leader)), network::healAll);
      }
      case PAUSE_LEADER -> {
        int leader = leader();
        cluster.node(leader).pause();
        return new ActiveFault(type, "SIGSTOP leader " + name(leader), () -> cluster.node(leader).resume());
      }
      case KILL_RESTART_COORDINATOR, KILL_RESTART_LEADER -> {
        boolean ofLeader = type == FaultType.KILL_RESTART_LEADER || random.nextBoolean();
        int victim = ofLeader ? leader() : follower();
        cluster.node(victim).kill();
        return new ActiveFault(type, "SIGKILL " + (ofLeader ? "leader " : "follower ") + name(victim),
            () -> cluster.node(victim).start());
      }
      case REDIS_DATA_LOSS -> {
        int victim = follower();
        cluster.redis(victim).restart();
        return new ActiveFault(type, "Redis of follower " + name(victim) + " killed and restarted empty", () -> {
          // The node notices by itself (applied-index marker gone), rebuilds its Redis from its own
          // snapshot and log, and serves again; the run's final checks compare every node's digest.
          Poll.until(name(victim) + " serving again after rebuilding its Redis", Duration.ofSeconds(60),
              () -> cluster.node(victim).status().filter(s -> s.getReady()).map(s -> true));
        });
      }
      case CLOCK_SKEW -> {
        // libfaketime slows every clock call, so the node runs under it only during the fault: it
        // is restarted with the skewed clock, and restarted again with the real one to heal.
        int victim = random.nextBoolean() ? leader() : follower();
        int seconds = (5 + random.nextInt(56)) * (random.nextBoolean() ? 1 : -1);
        String offset = (seconds > 0 ? "+" : "") + seconds + "s";
        NodeProcess node = cluster.node(victim);
        node.kill();
        node.setClockOffset(offset);
        node.start();
        return new ActiveFault(type, "wall clock of " + name(victim) + " moved " + offset + " (restarted under libfaketime)",
            () -> {
              node.kill();
              node.setClockOffset(null);
              node.start();
            });
      }
      default -> throw new UnsupportedOperationException(type + " needs the AddNode/RemoveNode admin RPCs (issue 3)");
    }
  }

  private int leader() {
    return cluster.awaitLeader(Duration.ofSeconds(30));
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
