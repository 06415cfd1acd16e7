package dev.redraft.client.cli;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * The verdict of {@code cluster status} and {@code member list}, as {@code etcdctl endpoint health}
 * gives it: exit 0 only when every member answered and is ready; otherwise one line on stderr names
 * the members that are not, and the exit code is {@link ExitCodes#COMMAND_FAILED}.
 */
final class MemberHealth {
  private MemberHealth() {}

  static int verdict(List<MemberStatus> members, PrintWriter err) {
    List<String> unhealthy = members.stream()
        .filter(m -> !m.getReachable() || !m.getReady())
        .map(m -> m.getNodeId() + (m.getReachable() ? " (not ready)" : " (unreachable)"))
        .toList();
    if (unhealthy.isEmpty()) {
      return ExitCodes.OK;
    }
    err.println("error: " + unhealthy.size() + " of " + members.size() + " members unreachable or not ready: "
        + String.join(", ", unhealthy) + "; see the table above, and the node's log");
    err.flush();
    return ExitCodes.COMMAND_FAILED;
  }
}
