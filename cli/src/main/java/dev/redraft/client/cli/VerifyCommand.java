package dev.redraft.client.cli;

import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.client.RedraftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redraft verify [--group G] [-o table|json]}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Runs a verification round now: a VERIFY entry enters the log, every replica digests its Redis "
        + "at that entry, and the digests are compared. Prints each node's digest and verdict (MATCH, DIVERGED: "
        + "it repairs itself from the leader, NO_MAJORITY: an alarm, UNREACHABLE). Exit code 1 unless CONSISTENT.")
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--group", paramLabel = "G", defaultValue = "0",
      description = "The Raft group to verify, in a sharded cluster (default: ${DEFAULT-VALUE}, the first).")
  int group;

  @Override
  public Integer call() {
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      VerifyResponse response = client.admin().verify(group);
      root.adminPrinter().verification(response, root.out());
      return response.getVerdict().equals("CONSISTENT") ? ExitCodes.OK : ExitCodes.COMMAND_FAILED;
    }
  }
}
