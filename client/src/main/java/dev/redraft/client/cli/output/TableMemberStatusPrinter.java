package dev.redraft.client.cli.output;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Members as an aligned table {@code NODE API ROLE TERM APPLIED REDIS READY}, followed by one line
 * per member that explains why it is not ready or not reachable.
 */
public final class TableMemberStatusPrinter implements MemberStatusPrinter {
  private static final List<String> HEADER = List.of("NODE", "API", "ROLE", "TERM", "APPLIED", "REDIS", "READY");

  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (MemberStatus member : members) {
      rows.add(row(member));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
    for (MemberStatus member : members) {
      if (!member.getDetail().isEmpty()) {
        out.println(member.getNodeId() + ": " + member.getDetail());
      }
    }
    out.flush();
  }

  private static List<String> row(MemberStatus member) {
    boolean reachable = member.getReachable();
    return List.of(
        member.getNodeId(),
        member.getApiAddress(),
        reachable ? orDash(member.getRole()) : "UNREACHABLE",
        reachable ? Long.toUnsignedString(member.getTerm()) : "-",
        reachable ? Long.toUnsignedString(member.getAppliedIndex()) : "-",
        reachable ? (member.getRedisHealthy() ? "ok" : "down") : "-",
        member.getReady() ? "yes" : "no");
  }

  private static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }

  private static String pad(String value, int width) {
    return value + " ".repeat(Math.max(0, width - value.length()));
  }
}
