package dev.redraft.client.testing;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ReplyArray;

/** Short builders for typed Redis replies in scripted server answers. */
public final class TestReplies {
  private TestReplies() {}

  public static Reply ok() {
    return status("OK");
  }

  public static Reply status(String text) {
    return Reply.newBuilder().setStatus(text).build();
  }

  public static Reply error(String message) {
    return Reply.newBuilder().setError(message).build();
  }

  public static Reply integer(long value) {
    return Reply.newBuilder().setInteger(value).build();
  }

  public static Reply bulk(String value) {
    return Reply.newBuilder().setBulk(ByteString.copyFromUtf8(value)).build();
  }

  public static Reply nil() {
    return Reply.newBuilder().setNil(true).build();
  }

  public static Reply array(Reply... items) {
    ReplyArray.Builder array = ReplyArray.newBuilder();
    for (Reply item : items) {
      array.addItems(item);
    }
    return Reply.newBuilder().setArray(array).build();
  }

  public static Reply bulks(String... values) {
    Reply[] items = new Reply[values.length];
    for (int i = 0; i < values.length; i++) {
      items[i] = values[i] == null ? nil() : bulk(values[i]);
    }
    return array(items);
  }
}
