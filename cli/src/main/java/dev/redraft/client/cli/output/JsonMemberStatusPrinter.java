package dev.redraft.client.cli.output;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * Members as a JSON array of objects, one key per MemberStatus field under its proto (snake_case)
 * name, every field present. Read from the message descriptor, so new fields appear by themselves.
 */
public final class JsonMemberStatusPrinter implements MemberStatusPrinter {
  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    out.println(ProtoJson.array(members));
    out.flush();
  }
}
