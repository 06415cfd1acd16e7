package dev.redraft.coordinator.raft;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The one place that converts between the project's protobuf messages and Ratis' shaded
 * ByteString: Ratis shades its own protobuf, so the two ByteString types are unrelated.
 */
final class ProtoBytes {
  private ProtoBytes() {}

  static Message toMessage(com.google.protobuf.MessageLite proto) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(proto.toByteArray()));
  }

  static ByteString toShaded(com.google.protobuf.MessageLite proto) {
    return UnsafeByteOperations.unsafeWrap(proto.toByteArray());
  }

  static byte[] bytes(ByteString shaded) {
    return shaded.toByteArray();
  }
}
