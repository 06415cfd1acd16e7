package dev.redraft.client.cli.output;

import static dev.redraft.client.cli.output.Table.orDash;
import static dev.redraft.client.cli.output.Table.yesNo;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * Members as an aligned table, followed by one line per member that explains why it is not ready
 * or not reachable. Two views share it: {@link #status()} for {@code redraft cluster status} and
 * {@link #membership()} for {@code redraft member list}. Figures a member did not report (it did not
 * answer) are shown as "-".
 */
public final class TableMemberPrinter implements MemberStatusPrinter {
  private record Column(String header, Function<MemberStatus, String> value) {}

  private static final Column ROLE = new Column("ROLE", m -> m.getReachable() ? orDash(m.getRole()) : "UNREACHABLE");

  private final List<Column> columns;

  private TableMemberPrinter(List<Column> columns) {
    this.columns = columns;
  }

  /** {@code NODE API ROLE TERM APPLIED REDIS READY LAG SNAPSHOT VOTER} (the last three were added later). */
  public static TableMemberPrinter status() {
    return new TableMemberPrinter(List.of(
        new Column("NODE", MemberStatus::getNodeId),
        new Column("API", MemberStatus::getApiAddress),
        ROLE,
        ifReachable("TERM", m -> Long.toUnsignedString(m.getTerm())),
        ifReachable("APPLIED", m -> Long.toUnsignedString(m.getAppliedIndex())),
        ifReachable("REDIS", m -> m.getRedisHealthy() ? "ok" : "down"),
        new Column("READY", m -> yesNo(m.getReady())),
        ifReachable("LAG", m -> Long.toUnsignedString(m.getLag())),
        ifReachable("SNAPSHOT", m -> Long.toUnsignedString(m.getSnapshotIndex())),
        new Column("VOTER", m -> yesNo(m.getVoter()))));
  }

  /** {@code NODE RAFT API MEMBER ROLE TERM APPLIED LAG SNAPSHOT READY}, MEMBER being voter or learner. */
  public static TableMemberPrinter membership() {
    return new TableMemberPrinter(List.of(
        new Column("NODE", MemberStatus::getNodeId),
        new Column("RAFT", m -> orDash(m.getRaftAddress())),
        new Column("API", m -> orDash(m.getApiAddress())),
        new Column("MEMBER", m -> m.getVoter() ? "voter" : "learner"),
        ROLE,
        ifReachable("TERM", m -> Long.toUnsignedString(m.getTerm())),
        ifReachable("APPLIED", m -> Long.toUnsignedString(m.getAppliedIndex())),
        ifReachable("LAG", m -> Long.toUnsignedString(m.getLag())),
        ifReachable("SNAPSHOT", m -> Long.toUnsignedString(m.getSnapshotIndex())),
        new Column("READY", m -> yesNo(m.getReady()))));
  }

  private static Column ifReachable(String header, Function<MemberStatus, String> value) {
    return new Column(header, m -> m.getReachable() ? value.apply(m) : "-");
  }

  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    Table table = new Table(columns.stream().map(Column::header).toList());
    for (MemberStatus member : members) {
      table.row(columns.stream().map(c -> c.value().apply(member)).toList());
    }
    table.print(out);
    MemberDetails.print(members, out);
    out.flush();
  }
}
