package dev.redraft.client.cli;

import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.client.RedraftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redraft cluster status [--group G] [-o table|json]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Every member as it reports itself: node, API address, role, term, applied index, "
        + "Redis health, readiness, lag behind the leader's commit index, newest snapshot, voter or learner.",
        "Exit code 1 when any member is unreachable or not ready (named on stderr)."})
final class ClusterStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--group", paramLabel = "G", defaultValue = "0",
      description = "The Raft group whose members report, in a sharded cluster (default: ${DEFAULT-VALUE}, the "
          + "first; see 'redraft cluster slots').")
  int group;

  @Override
  public Integer call() {
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openClient()) {
      ClusterStatusResponse status = client.admin().clusterStatus(group);
      root.memberStatusPrinter().print(status.getMembersList(), root.out());
      root.out().flush();
      return MemberHealth.verdict(status.getMembersList(), root.err());
    }
  }
}
