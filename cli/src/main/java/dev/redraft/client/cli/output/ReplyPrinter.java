package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.PrintWriter;
import java.util.List;

/** Prints a Redis reply in one output format. */
public interface ReplyPrinter {
  void print(Reply reply, PrintWriter out);

  /** The replies of several commands (a batch), in order. */
  default void printAll(List<Reply> replies, PrintWriter out) {
    for (Reply reply : replies) {
      print(reply, out);
    }
  }
}
