package dev.redraft.client.cli;

import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.client.RedraftClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code redraft member list|add|remove|promote}: the cluster's membership. Changes go through the
 * Raft log, one at a time; any endpoint takes them (the node forwards to the leader). They print the
 * membership once the change is committed.
 */
@Command(name = "member", mixinStandardHelpOptions = true,
    description = "Cluster membership: list, add, remove and promote nodes (one change at a time).")
final class MemberCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing subcommand: try 'redraft member list' or 'redraft member --help'");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every member: node, Raft and API addresses, voter or learner, role, term, applied index, "
          + "lag behind the leader's commit index, newest snapshot, readiness. Exit code 1 when any member is "
          + "unreachable or not ready.")
  int list() {
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openClient()) {
      List<MemberStatus> members = client.admin().clusterStatus().getMembersList();
      root.memberListPrinter().print(members, root.out());
      root.out().flush();
      return MemberHealth.verdict(members, root.err());
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Adds a running node as a voter (or a learner). Start it first with "
          + "initial-cluster-state=existing and peers = the running members (scripts/cluster.sh add-node "
          + "does both). Returns once it has caught up and the change is committed."})
  int add(@Parameters(index = "0", paramLabel = "ID", description = "the new node's node-id") String id,
          @Parameters(index = "1", paramLabel = "RAFT_HOST:PORT", description = "its raft-address") String raftAddress,
          @Option(names = "--learner", description = "add it as a non-voting learner (promote it later)")
          boolean learner) {
    AdminArguments.nodeId(id);
    AdminArguments.raftAddress(raftAddress);
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      printMembership(root, client.admin().addNode(id, raftAddress, learner));
    }
    return ExitCodes.OK;
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a voter or learner (the leader too: it steps down). Refused if the cluster would "
          + "lose its majority.")
  int remove(@Parameters(paramLabel = "ID", description = "the node to remove") String id) {
    AdminArguments.nodeId(id);
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      printMembership(root, client.admin().removeNode(id));
    }
    return ExitCodes.OK;
  }

  @Command(name = "promote", mixinStandardHelpOptions = true, description = "Makes a learner a voter.")
  int promote(@Parameters(paramLabel = "ID", description = "the learner to promote") String id) {
    AdminArguments.nodeId(id);
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      printMembership(root, client.admin().promoteNode(id));
    }
    return ExitCodes.OK;
  }

  private static void printMembership(RedraftCommand root, MembershipResponse response) {
    root.adminPrinter().membership(response.getMembersList(), root.out());
  }
}
