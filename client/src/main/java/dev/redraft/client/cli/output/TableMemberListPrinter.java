package dev.redraft.client.cli.output;

import static dev.redraft.client.cli.output.Table.orDash;
import static dev.redraft.client.cli.output.Table.yesNo;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * The membership view of the cluster status ({@code redraft member list}): an aligned table
 * {@code NODE RAFT API MEMBER ROLE TERM APPLIED LAG SNAPSHOT READY}, MEMBER being voter or learner,
 * followed by one line per member that explains why it is not ready or not reachable.
 */
public final class TableMemberListPrinter implements MemberStatusPrinter {
  private static final List<String> HEADER =
      List.of("NODE", "RAFT", "API", "MEMBER", "ROLE", "TERM", "APPLIED", "LAG", "SNAPSHOT", "READY");

  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    Table table = new Table(HEADER);
    for (MemberStatus member : members) {
      boolean reachable = member.getReachable();
      table.row(List.of(
          member.getNodeId(),
          orDash(member.getRaftAddress()),
          orDash(member.getApiAddress()),
          member.getVoter() ? "voter" : "learner",
          reachable ? orDash(member.getRole()) : "UNREACHABLE",
          reachable ? Long.toUnsignedString(member.getTerm()) : "-",
          reachable ? Long.toUnsignedString(member.getAppliedIndex()) : "-",
          reachable ? Long.toUnsignedString(member.getLag()) : "-",
          reachable ? Long.toUnsignedString(member.getSnapshotIndex()) : "-",
          yesNo(member.getReady())));
    }
    table.print(out);
    MemberDetails.print(members, out);
    out.flush();
  }
}
