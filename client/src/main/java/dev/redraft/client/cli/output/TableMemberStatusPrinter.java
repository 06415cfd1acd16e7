package dev.redraft.client.cli.output;

import static dev.redraft.client.cli.output.Table.orDash;
import static dev.redraft.client.cli.output.Table.yesNo;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * Members as an aligned table {@code NODE API ROLE TERM APPLIED REDIS READY LAG SNAPSHOT VOTER}
 * (the last three were added later, after the original columns), followed by one line per member
 * that explains why it is not ready or not reachable.
 */
public final class TableMemberStatusPrinter implements MemberStatusPrinter {
  private static final List<String> HEADER =
      List.of("NODE", "API", "ROLE", "TERM", "APPLIED", "REDIS", "READY", "LAG", "SNAPSHOT", "VOTER");

  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    Table table = new Table(HEADER);
    for (MemberStatus member : members) {
      boolean reachable = member.getReachable();
      table.row(List.of(
          member.getNodeId(),
          member.getApiAddress(),
          reachable ? orDash(member.getRole()) : "UNREACHABLE",
          reachable ? Long.toUnsignedString(member.getTerm()) : "-",
          reachable ? Long.toUnsignedString(member.getAppliedIndex()) : "-",
          reachable ? (member.getRedisHealthy() ? "ok" : "down") : "-",
          yesNo(member.getReady()),
          reachable ? Long.toUnsignedString(member.getLag()) : "-",
          reachable ? Long.toUnsignedString(member.getSnapshotIndex()) : "-",
          yesNo(member.getVoter())));
    }
    table.print(out);
    MemberDetails.print(members, out);
    out.flush();
  }
}
