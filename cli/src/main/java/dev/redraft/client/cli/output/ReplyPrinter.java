package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.PrintWriter;

/** Prints a Redis reply in one output format. */
public interface ReplyPrinter {
  void print(Reply reply, PrintWriter out);
}
