package dev.redraft.coordinator.resp;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ReplyArray;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Short constructors for the replies the RESP port builds itself (KV replies come from Redis). */
final class Replies {
  private Replies() {}

  static final Reply OK = status("OK");
  static final Reply QUEUED = status("QUEUED");
  static final Reply NIL = Reply.newBuilder().setNil(true).build();

  static Reply status(String text) {
    return Reply.newBuilder().setStatus(text).build();
  }

  /** An error reply; the text starts with Redis' error code (ERR, NOAUTH, WRONGPASS...). */
  static Reply error(String text) {
    return Reply.newBuilder().setError(text).build();
  }

  static Reply integer(long value) {
    return Reply.newBuilder().setInteger(value).build();
  }

  static Reply bulk(String text) {
    return Reply.newBuilder().setBulk(ByteString.copyFromUtf8(text)).build();
  }

  static Reply bulk(byte[] bytes) {
    return Reply.newBuilder().setBulk(ByteString.copyFrom(bytes)).build();
  }

  static Reply array(List<Reply> items) {
    return Reply.newBuilder().setArray(ReplyArray.newBuilder().addAllItems(items)).build();
  }

  static Reply bulks(List<String> texts) {
    return array(texts.stream().map(Replies::bulk).toList());
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
