package dev.redraft.client.cli.output;

import static dev.redraft.client.cli.output.Table.orDash;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.NodeVerification;
import dev.redraft.api.v1.SlotOwner;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TransferLeadershipResponse;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

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
  public void moved(MoveSlotsResponse response, PrintWriter out) {
    new Table(List.of("MOVE", "SLOTS", "FROM GROUP", "TO GROUP", "MAP VERSION"))
        .row(List.of(Long.toUnsignedString(response.getMoveId()), Integer.toString(response.getSlotCount()),
            Integer.toString(response.getSourceGroup()), Integer.toString(response.getTargetGroup()),
            Long.toUnsignedString(response.getMapVersion())))
        .print(out);
    out.flush();
  }

  @Override
  public void balancePlan(List<PlannedMove> moves, boolean dryRun, PrintWriter out) {
    if (moves.isEmpty()) {
      out.println("balanced: every group owns its share of the 16384 slots; nothing to move");
    } else {
      int slots = moves.stream().mapToInt(PlannedMove::slotCount).sum();
      out.println((dryRun ? "would move " : "moving ") + slots + " slots in " + moves.size() + " moves:");
      Table table = new Table(List.of("SLOTS", "COUNT", "FROM GROUP", "TO GROUP"));
      moves.forEach(move -> table.row(List.of(move.slots(), Integer.toString(move.slotCount()),
          Integer.toString(move.source()), Integer.toString(move.target()))));
      table.print(out);
    }
    out.flush();
  }

  @Override
  public void balanceMoved(MoveSlotsResponse response, String slots, PrintWriter out) {
    out.println("moved " + response.getSlotCount() + " slots (" + slots + ") from group " + response.getSourceGroup()
        + " to group " + response.getTargetGroup() + ": move " + Long.toUnsignedString(response.getMoveId())
        + ", map version " + Long.toUnsignedString(response.getMapVersion()));
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

  /** A row per group: its slots, leader (with the addresses a client reaches it by) and members. */
  @Override
  public void slots(ClusterSlotsResponse response, PrintWriter out) {
    Table table = new Table(List.of("SLOTS", "GROUP", "LEADER", "TERM", "LEADER API", "LEADER RESP", "MEMBERS"));
    for (GroupSlots group : response.getGroupsList()) {
      String slots = group.getSlotsList().stream().map(r -> r.getFirst() + "-" + r.getLast())
          .collect(Collectors.joining(","));
      SlotOwner leader = group.getMembersList().stream().filter(SlotOwner::getLeader).findFirst()
          .orElse(SlotOwner.getDefaultInstance());
      String members = group.getMembersList().stream().map(m -> m.getNodeId() + (m.getVoter() ? "" : " (learner)"))
          .collect(Collectors.joining(","));
      table.row(List.of(slots, Integer.toString(group.getGroup()), orDash(group.getLeaderId()),
          Long.toUnsignedString(group.getTerm()), orDash(leader.getApiAddress()), orDash(leader.getRespAddress()),
          orDash(members)));
    }
    table.print(out);
    out.flush();
  }
}
