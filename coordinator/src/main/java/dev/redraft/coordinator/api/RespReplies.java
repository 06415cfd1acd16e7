package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ReplyArray;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RESP2 bytes (as the apply and read scripts return Redis' replies) into typed API
 * replies. Binary safe: bulk strings are taken by their length, never scanned for line ends.
 */
final class RespReplies {
  private final byte[] data;
  private int pos;

  private RespReplies(byte[] data) {
    this.data = data;
  }

  /** One reply. */
  static Reply decode(byte[] resp) {
    RespReplies reader = new RespReplies(resp);
    Reply reply = reader.next();
    reader.requireEnd();
    return reply;
  }

  /** An array of replies, one per command. */
  static List<Reply> decodeArray(byte[] resp) {
    Reply reply = decode(resp);
    if (!reply.hasArray()) {
      throw new IllegalStateException("expected an array of replies, got " + reply.getKindCase());
    }
    return reply.getArray().getItemsList();
  }

  private Reply next() {
    byte type = data[pos++];
    String line = readLine();
    return switch (type) {
      case '+' -> Reply.newBuilder().setStatus(line).build();
      case '-' -> Reply.newBuilder().setError(line).build();
      case ':' -> Reply.newBuilder().setInteger(Long.parseLong(line)).build();
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          yield Reply.newBuilder().setNil(true).build();
        }
        ByteString bulk = ByteString.copyFrom(data, pos, length);
        pos += length + 2;
        yield Reply.newBuilder().setBulk(bulk).build();
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        if (count < 0) {
          yield Reply.newBuilder().setNil(true).build();
        }
        List<Reply> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(next());
        }
        yield Reply.newBuilder().setArray(ReplyArray.newBuilder().addAllItems(items)).build();
      }
      default -> throw new IllegalStateException("not a RESP2 reply: type byte '" + (char) type + "' at " + (pos - 1));
    };
  }

  private String readLine() {
    int start = pos;
    while (pos + 1 < data.length && !(data[pos] == '\r' && data[pos + 1] == '\n')) {
      pos++;
    }
    if (pos + 1 >= data.length) {
      throw new IllegalStateException("truncated RESP2 reply");
    }
    String line = new String(data, start, pos - start, StandardCharsets.UTF_8);
    pos += 2;
    return line;
  }

  private void requireEnd() {
    if (pos != data.length) {
      throw new IllegalStateException("trailing bytes after RESP2 reply at " + pos + " of " + data.length);
    }
  }
}
