package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Reply;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes replies in RESP2 or RESP3. Netty's redis codec decodes requests, but it has no RESP3
 * types, so replies (a handful of prefixes) are written here. Binary safe: bulk strings are written
 * by length; status and error lines never carry a line break.
 */
final class RespEncoder {
  private static final byte[] CRLF = {'\r', '\n'};

  private RespEncoder() {}

  static void write(ByteBuf out, Reply reply, int protocol, ReplyShape shape) {
    boolean resp3 = protocol == 3;
    switch (reply.getKindCase()) {
      case STATUS -> line(out, '+', oneLine(reply.getStatus()));
      case ERROR -> line(out, '-', oneLine(reply.getError()));
      case INTEGER -> line(out, ':', Long.toString(reply.getInteger()));
      case BULK -> {
        if (resp3 && shape == ReplyShape.DOUBLE) {
          line(out, ',', reply.getBulk().toString(StandardCharsets.US_ASCII));
        } else {
          line(out, '$', Integer.toString(reply.getBulk().size()));
          out.writeBytes(reply.getBulk().asReadOnlyByteBuffer());
          out.writeBytes(CRLF);
        }
      }
      case NIL -> out.writeBytes(resp3 ? "_\r\n".getBytes(StandardCharsets.US_ASCII)
          : "$-1\r\n".getBytes(StandardCharsets.US_ASCII));
      case ARRAY -> {
        List<Reply> items = reply.getArray().getItemsList();
        if (resp3 && shape == ReplyShape.MAP && items.size() % 2 == 0) {
          line(out, '%', Integer.toString(items.size() / 2));
        } else if (resp3 && shape == ReplyShape.SET) {
          line(out, '~', Integer.toString(items.size()));
        } else {
          line(out, '*', Integer.toString(items.size()));
        }
        ReplyShape itemShape = shape == ReplyShape.DOUBLES ? ReplyShape.DOUBLE : ReplyShape.PLAIN;
        for (Reply item : items) {
          write(out, item, protocol, itemShape);
        }
      }
      default -> line(out, '-', "ERR empty reply (a Redraft bug: please report it)");
    }
  }

  /** A null array: EXEC's reply when a watched key changed. */
  static void writeNullArray(ByteBuf out, int protocol) {
    out.writeBytes((protocol == 3 ? "_\r\n" : "*-1\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static void line(ByteBuf out, char prefix, String text) {
    out.writeByte(prefix);
    out.writeCharSequence(text, StandardCharsets.UTF_8);
    out.writeBytes(CRLF);
  }

  private static String oneLine(String text) {
    return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replace('\r', ' ').replace('\n', ' ');
  }
}
