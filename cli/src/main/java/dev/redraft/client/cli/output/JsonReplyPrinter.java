package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Replies as JSON values: strings for status replies, numbers for integers, null for nil, arrays for
 * arrays, {"error": "..."} for an error reply; a bulk value is a string when it is valid UTF-8 (control
 * characters in JSON's escapes), else {"base64": "..."} holding its exact bytes.
 */
public final class JsonReplyPrinter implements ReplyPrinter {
  @Override
  public void print(Reply reply, PrintWriter out) {
    out.println(toJson(reply));
    out.flush();
  }

  /** One JSON array of the replies. */
  @Override
  public void printAll(List<Reply> replies, PrintWriter out) {
    out.println(replies.stream().map(JsonReplyPrinter::toJson).collect(Collectors.joining(", ", "[", "]")));
    out.flush();
  }

  public static String toJson(Reply reply) {
    return switch (reply.getKindCase()) {
      case STATUS -> Json.quote(reply.getStatus());
      case ERROR -> "{\"error\": " + Json.quote(reply.getError()) + "}";
      case INTEGER -> Long.toString(reply.getInteger());
      case BULK -> Json.bytes(reply.getBulk().toByteArray());
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
