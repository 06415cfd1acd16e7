package dev.redraft.client.cli.output;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TransferLeadershipResponse;
import java.io.PrintWriter;
import java.util.List;

/** Prints the results of admin changes in one output format. */
public interface AdminPrinter {
  /** The membership after a change (member add, remove, promote). */
  void membership(List<Member> members, PrintWriter out);

  /** The leader after a transfer. */
  void leader(TransferLeadershipResponse response, PrintWriter out);

  /** The snapshot a node took. */
  void snapshot(TakeSnapshotResponse response, PrintWriter out);

  /** A verification round: every node's digest and verdict. */
  void verification(VerifyResponse response, PrintWriter out);

  /** Which group owns which slots, and each group's leader and members. */
  void slots(ClusterSlotsResponse response, PrintWriter out);

  /** A finished slot move. */
  void moved(MoveSlotsResponse response, PrintWriter out);

  /** A move of a balance plan: {@code slots} ("0-99,200"), {@code slotCount} of them, from and to which group. */
  record PlannedMove(int source, int target, int slotCount, String slots) {}

  /** The moves a balance makes, or would make ({@code dryRun}); none: the slots are balanced. */
  void balancePlan(List<PlannedMove> moves, boolean dryRun, PrintWriter out);

  /** One move of a balance, finished: {@code slots} as in its plan. */
  void balanceMoved(MoveSlotsResponse response, String slots, PrintWriter out);
}
