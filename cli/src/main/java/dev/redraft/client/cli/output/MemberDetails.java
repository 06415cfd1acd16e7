package dev.redraft.client.cli.output;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/** The lines under a members table: why a member is not ready or not reachable. */
final class MemberDetails {
  private MemberDetails() {}

  static void print(List<MemberStatus> members, PrintWriter out) {
    for (MemberStatus member : members) {
      if (!member.getDetail().isEmpty()) {
        // One line per member: a detail from an older node may carry a whole stack trace.
        String detail = member.getDetail().strip();
        int newline = detail.indexOf('\n');
        out.println(member.getNodeId() + ": " + (newline < 0 ? detail : detail.substring(0, newline).strip()));
      }
    }
  }
}
