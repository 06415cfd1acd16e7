package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.PrintWriter;

/**
 * Replies as JSON values: strings for status and bulk replies, numbers for integers, null for nil,
 * arrays for arrays, and {"error": "..."} for an error reply.
 */
public final class JsonReplyPrinter implements ReplyPrinter {
  @Override
  public void print(Reply reply, PrintWriter out) {
    out.println(toJson(reply));
    out.flush();
  }

  static String toJson(Reply reply) {
    return switch (reply.getKindCase()) {
      case STATUS -> Json.quote(reply.getStatus());
      case ERROR -> "{\"error\": " + Json.quote(reply.getError()) + "}";
      case INTEGER -> Long.toString(reply.getInteger());
      case BULK -> Json.quote(reply.getBulk().toStringUtf8());
      case NIL, KIND_NOT_SET -> "null";
      case ARRAY -> {
        StringBuilder json = new StringBuilder("[");
        for (Reply item : reply.getArray().getItemsList()) {
          if (json.length() > 1) {
            json.append(", ");
          }
          json.append(toJson(item));
        }
        yield json.append(']').toString();
      }
    };
  }
}
