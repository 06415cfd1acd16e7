package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Replies as redis-cli prints them: {@code OK}, the value of a bulk string (quoted with escapes when it
 * is not printable text, see {@link DisplayText}), {@code (nil)}, {@code (integer) 5}, {@code (error)
 * ...}, and numbered lines for arrays (nested ones indented).
 */
public final class TextReplyPrinter implements ReplyPrinter {
  @Override
  public void print(Reply reply, PrintWriter out) {
    for (String line : lines(reply)) {
      out.println(line);
    }
    out.flush();
  }

  public static List<String> lines(Reply reply) {
    return switch (reply.getKindCase()) {
      case STATUS -> List.of(DisplayText.message(reply.getStatus()));
      case ERROR -> List.of("(error) " + DisplayText.message(reply.getError()));
      case INTEGER -> List.of("(integer) " + reply.getInteger());
      case BULK -> List.of(DisplayText.value(reply.getBulk().toByteArray()));
      case NIL, KIND_NOT_SET -> List.of("(nil)");
      case ARRAY -> arrayLines(reply.getArray().getItemsList());
    };
  }

  private static List<String> arrayLines(List<Reply> items) {
    if (items.isEmpty()) {
      return List.of("(empty array)");
    }
    int width = Integer.toString(items.size()).length();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String label = String.format("%" + width + "d) ", i + 1);
      String indent = " ".repeat(label.length());
      List<String> itemLines = lines(items.get(i));
      for (int j = 0; j < itemLines.size(); j++) {
        lines.add((j == 0 ? label : indent) + itemLines.get(j));
      }
    }
    return lines;
  }
}
