package dev.redraft.coordinator.resp;

import dev.redraft.api.KeySlot;
import dev.redraft.coordinator.api.SlotLayout;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandSpec;
import dev.redraft.coordinator.resp.ClusterCommands.HostPort;
import dev.redraft.coordinator.shard.SlotMap;
import java.util.List;

/**
 * -MOVED on the port for cluster-aware clients: a data command whose keys' group another node leads (as
 * this node knows it) is answered {@code MOVED <slot> <host>:<port>}, that leader's cluster port, as a Redis
 * Cluster node answers for a slot it does not serve; the client sends it there and asks for the layout
 * again. What this node serves instead (it routes it, one hop, as on the plain port): a command after
 * ASKING, a read on a READONLY connection (this node's replica answers it), a command without keys or with
 * keys of several groups (refused with CROSSSLOT as usual), and a group whose leader this node does not
 * know, is itself, or published no cluster port at an address a client can reach.
 */
final class ClusterRedirects {
  private final SlotLayout layout;
  private final String nodeId;

  ClusterRedirects(SlotLayout layout, String nodeId) {
    this.layout = layout;
    this.nodeId = nodeId;
  }

  /** The MOVED error for this command on this connection, or null: serve it here. */
  String movedOrNull(CommandSpec spec, List<byte[]> argv, ConnectionState state) {
    if (!state.clusterPort || state.asking || (spec.kind() == CommandKind.READ && state.staleReads)
        || !spec.acceptsArgc(argv.size())) {
      return null;
    }
    int[] positions;
    try {
      positions = spec.keys().positions(argv);
    } catch (RuntimeException malformed) {
      return null; // the group's validation says what is wrong
    }
    if (positions.length == 0) {
      return null;
    }
    SlotMap map = layout.map();
    int slot = KeySlot.of(argv.get(positions[0]));
    int group = map.groupOf(slot);
    for (int position : positions) {
      if (map.groupOfKey(argv.get(position)) != group) {
        return null;
      }
    }
    return layout.otherLeadersClusterAddress(group, nodeId)
        .filter(address -> !HostPort.of(address).wildcard())
        .map(address -> "MOVED " + slot + " " + address)
        .orElse(null);
  }
}
