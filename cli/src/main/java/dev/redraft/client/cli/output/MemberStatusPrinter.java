package dev.redraft.client.cli.output;

import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/** Prints the members of a cluster in one output format. */
public interface MemberStatusPrinter {
  void print(List<MemberStatus> members, PrintWriter out);
}
