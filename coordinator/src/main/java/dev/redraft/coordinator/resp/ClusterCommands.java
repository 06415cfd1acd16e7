package dev.redraft.coordinator.resp;

import dev.redraft.api.KeySlot;
import dev.redraft.api.v1.Reply;
import dev.redraft.coordinator.command.Ascii;
import dev.redraft.coordinator.raft.RaftStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * CLUSTER, for cluster-aware clients (redis-py's RedisCluster, redis-cli -c, Jedis' JedisCluster).
 * With one Raft group every node serves every slot (it forwards writes to the leader), so a node
 * answers that it alone holds slots 0-16383, at the address the client reached it by: the client
 * sends everything there, and after losing that node asks another, which answers the same of itself.
 * A sharded cluster, or a node with a port for cluster-aware clients, answers each group's slots at its
 * leader's port ({@link ShardedClusterReplies}): its cluster port where it has one, where a key of a group
 * that another node leads is answered -MOVED ({@link ClusterRedirects}).
 * KEYSLOT is Redis Cluster's own function ({@link KeySlot}).
 */
final class ClusterCommands {
  private final RespContext context;
  private final String myId;
  /** Null in a cluster of one group. */
  private final ShardedClusterReplies sharded;

  ClusterCommands(RespContext context) {
    this.context = context;
    this.myId = clusterNodeId(context.nodeId);
    this.sharded = context.slots.map().groups() > 1 || context.clusterAddress != null
        ? new ShardedClusterReplies(context.slots, context.nodeId) : null;
  }

  Immediate handle(List<byte[]> argv, ConnectionState state) {
    if (argv.size() < 2) {
      return ConnectionCommands.arity("CLUSTER");
    }
    String sub = Ascii.toUpperCase(Replies.text(argv.get(1)));
    HostPort reached = HostPort.of(state.localAddress);
    // This node as a cluster-aware client should reach it: its cluster port, at its own host (the one the
    // client used when that port listens on every interface).
    HostPort self = reached;
    if (context.clusterAddress != null && !state.clusterPort) {
      self = context.clusterAddress.wildcard() ? new HostPort(reached.host(), context.clusterAddress.port())
          : context.clusterAddress;
    }
    RaftStatus raft = context.raftStatus.get();
    if (sharded != null && Set.of("SLOTS", "SHARDS", "NODES", "INFO").contains(sub)) {
      if (argv.size() != 2) {
        return subArity(sub);
      }
      switch (sub) {
        case "SLOTS" -> {
          return Immediate.of(sharded.slots(self));
        }
        case "SHARDS" -> {
          return Immediate.of(sharded.shards(self));
        }
        case "NODES" -> {
          return Immediate.of(Replies.bulk(sharded.nodes(self, raft.term())));
        }
        case "INFO" -> {
          return Immediate.of(Replies.bulk(sharded.info(self, raft.term())));
        }
        default -> { }
      }
    }
    return switch (sub) {
      case "KEYSLOT" -> argv.size() != 3 ? subArity(sub) : Immediate.of(Replies.integer(KeySlot.of(argv.get(2))));
      case "MYID" -> Immediate.of(Replies.bulk(myId));
      case "SLOTS" -> Immediate.of(Replies.array(List.of(Replies.array(List.of(Replies.integer(0),
          Replies.integer(KeySlot.SLOTS - 1), node(self))))));
      case "SHARDS" -> Immediate.of(Replies.array(List.of(Replies.array(List.of(
          Replies.bulk("slots"), Replies.array(List.of(Replies.integer(0), Replies.integer(KeySlot.SLOTS - 1))),
          Replies.bulk("nodes"), Replies.array(List.of(Replies.array(List.of(
              Replies.bulk("id"), Replies.bulk(myId), Replies.bulk("port"), Replies.integer(self.port()),
              Replies.bulk("ip"), Replies.bulk(self.host()), Replies.bulk("endpoint"), Replies.bulk(self.host()),
              Replies.bulk("role"), Replies.bulk("master"), Replies.bulk("replication-offset"),
              Replies.integer(raft.appliedIndex()), Replies.bulk("health"), Replies.bulk("online"))))))))));
      case "NODES" -> Immediate.of(Replies.bulk(myId + " " + self + "@0 myself,master - 0 0 " + raft.term()
          + " connected 0-" + (KeySlot.SLOTS - 1) + "\n"));
      case "INFO" -> Immediate.of(Replies.bulk("cluster_enabled:1\r\ncluster_state:ok\r\n"
          + "cluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\n"
          + "cluster_slots_fail:0\r\ncluster_known_nodes:1\r\ncluster_size:1\r\ncluster_current_epoch:"
          + raft.term() + "\r\ncluster_my_epoch:" + raft.term() + "\r\n"));
      default -> Immediate.error("ERR unknown subcommand '" + Replies.text(argv.get(1))
          + "'. Redraft answers CLUSTER KEYSLOT, SLOTS, SHARDS, NODES, INFO and MYID");
    };
  }

  /** One node of a CLUSTER SLOTS range: ip, port, id, no extra metadata. */
  private Reply node(HostPort address) {
    return Replies.array(List.of(Replies.bulk(address.host()), Replies.integer(address.port()), Replies.bulk(myId),
        Replies.array(List.of())));
  }

  private static Immediate subArity(String sub) {
    return Immediate.error("ERR wrong number of arguments for 'cluster|" + Ascii.toLowerCase(sub) + "' command");
  }

  /** A Redis Cluster node id: 40 hex characters, stable for a node. */
  static String clusterNodeId(String redraftNodeId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest(("redraft-node:" + redraftNodeId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this Java runtime", e);
    }
  }

  /** The address a connection reached this node by, as "host:port" (IPv6 hosts without brackets). */
  record HostPort(String host, int port) {
    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "");

    static HostPort of(String address) {
      int colon = address.lastIndexOf(':');
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      return new HostPort(host, Integer.parseInt(address.substring(colon + 1)));
    }

    /** Listening on every interface: only a client knows how it reaches it. */
    boolean wildcard() {
      return WILDCARD_HOSTS.contains(host);
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
