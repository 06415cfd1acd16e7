package dev.redraft.client.cli.output;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TransferLeadershipResponse;
import java.io.PrintWriter;
import java.util.List;

/**
 * Admin results as JSON under the proto field names: the membership as an array of
 * {@code {"node_id", "raft_address", "voter"}}, a transfer as {@code {"leader_id"}}, a snapshot as
 * {@code {"node_id", "snapshot_index"}}. The response header is left out.
 */
public final class JsonAdminPrinter implements AdminPrinter {
  @Override
  public void membership(List<Member> members, PrintWriter out) {
    out.println(ProtoJson.array(members));
    out.flush();
  }

  @Override
  public void leader(TransferLeadershipResponse response, PrintWriter out) {
    out.println(ProtoJson.object(response));
    out.flush();
  }

  @Override
  public void moved(MoveSlotsResponse response, PrintWriter out) {
    out.println(ProtoJson.object(response));
    out.flush();
  }

  /** {"dry_run", "moves": [{"slots", "slot_count", "source_group", "target_group"}, ...]}, on one line. */
  @Override
  public void balancePlan(List<PlannedMove> moves, boolean dryRun, PrintWriter out) {
    StringBuilder json = new StringBuilder("{\"dry_run\": " + dryRun + ", \"moves\": [");
    for (PlannedMove move : moves) {
      json.append(json.charAt(json.length() - 1) == '[' ? "" : ", ").append("{\"slots\": ").append(Json.quote(move.slots()))
          .append(", \"slot_count\": ").append(move.slotCount()).append(", \"source_group\": ").append(move.source())
          .append(", \"target_group\": ").append(move.target()).append('}');
    }
    out.println(json.append("]}"));
    out.flush();
  }

  /** One line per finished move: the MoveSlots answer's fields and its "slots". */
  @Override
  public void balanceMoved(MoveSlotsResponse response, String slots, PrintWriter out) {
    String object = ProtoJson.object(response);
    out.println(object.substring(0, object.length() - 1) + ", \"slots\": " + Json.quote(slots) + "}");
    out.flush();
  }

  @Override
  public void snapshot(TakeSnapshotResponse response, PrintWriter out) {
    out.println(ProtoJson.object(response));
    out.flush();
  }

  /** {"round", "verdict", "nodes": [{"node_id", "round", "digest", "verdict", "detail"}, ...]}. */
  @Override
  public void verification(VerifyResponse response, PrintWriter out) {
    String object = ProtoJson.object(response);
    out.println(object.substring(0, object.length() - 1) + ", \"nodes\": "
        + ProtoJson.array(response.getNodesList()).replace("\n", "\n  ") + "}");
    out.flush();
  }

  /**
   * One object per group: {"group", "leader_id", "term", "slots": [{"first", "last"}], "members":
   * [{"node_id", "api_address", "resp_address", "leader", "voter", "resp_cluster_address"}, ...]}.
   */
  @Override
  public void slots(ClusterSlotsResponse response, PrintWriter out) {
    StringBuilder json = new StringBuilder();
    for (GroupSlots group : response.getGroupsList()) {
      String object = ProtoJson.object(group);
      json.append(json.length() == 0 ? "[\n  " : ",\n  ").append(object, 0, object.length() - 1)
          .append(", \"slots\": ").append(ProtoJson.array(group.getSlotsList()).replace("\n  ", "").replace("\n", ""))
          .append(", \"members\": ").append(ProtoJson.array(group.getMembersList()).replace("\n", "\n    "))
          .append('}');
    }
    out.println(json.length() == 0 ? "[]" : json.append("\n]"));
    out.flush();
  }
}
