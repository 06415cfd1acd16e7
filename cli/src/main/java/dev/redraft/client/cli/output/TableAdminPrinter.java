package dev.redraft.client.cli.output;

import static dev.redraft.client.cli.output.Table.orDash;

import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.NodeVerification;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TransferLeadershipResponse;
import java.io.PrintWriter;
import java.util.List;

/**
 * Admin results as aligned tables: the membership as {@code NODE RAFT MEMBER} (voter or learner),
 * a transfer as {@code LEADER}, a snapshot as {@code NODE SNAPSHOT}.
 */
public final class TableAdminPrinter implements AdminPrinter {
  @Override
  public void membership(List<Member> members, PrintWriter out) {
    Table table = new Table(List.of("NODE", "RAFT", "MEMBER"));
    for (Member member : members) {
      table.row(List.of(member.getNodeId(), orDash(member.getRaftAddress()), member.getVoter() ? "voter" : "learner"));
    }
    table.print(out);
    out.flush();
  }

  @Override
  public void leader(TransferLeadershipResponse response, PrintWriter out) {
    new Table(List.of("LEADER")).row(List.of(orDash(response.getLeaderId()))).print(out);
    out.flush();
  }

  @Override
  public void snapshot(TakeSnapshotResponse response, PrintWriter out) {
    new Table(List.of("NODE", "SNAPSHOT"))
        .row(List.of(orDash(response.getNodeId()), Long.toUnsignedString(response.getSnapshotIndex())))
        .print(out);
    out.flush();
  }

  @Override
  public void verification(VerifyResponse response, PrintWriter out) {
    Table table = new Table(List.of("NODE", "ROUND", "DIGEST", "VERDICT"));
    for (NodeVerification node : response.getNodesList()) {
      table.row(List.of(node.getNodeId(), Long.toUnsignedString(node.getRound()), orDash(node.getDigest()),
          node.getVerdict()));
    }
    table.print(out);
    out.println("round " + Long.toUnsignedString(response.getRound()) + ": " + response.getVerdict());
    out.flush();
  }
}
