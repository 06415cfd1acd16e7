package dev.redraft.coordinator.raft;

import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;

/** A server call that goes nowhere, for the Raft port's interceptors: only its method's name matters to them. */
final class StubServerCall extends ServerCall<Object, Object> {
  private final MethodDescriptor<Object, Object> method;

  StubServerCall(String fullMethodName) {
    MethodDescriptor.Marshaller<Object> text = new MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(Object value) {
        return new java.io.ByteArrayInputStream(value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public Object parse(java.io.InputStream stream) {
        throw new UnsupportedOperationException("not sent over a wire");
      }
    };
    this.method = MethodDescriptor.<Object, Object>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(fullMethodName).setRequestMarshaller(text).setResponseMarshaller(text).build();
  }

  @Override
  public void request(int numMessages) {}

  @Override
  public void sendHeaders(Metadata headers) {}

  @Override
  public void sendMessage(Object message) {}

  @Override
  public void close(Status status, Metadata trailers) {}

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public Attributes getAttributes() {
    return Attributes.EMPTY;
  }

  @Override
  public MethodDescriptor<Object, Object> getMethodDescriptor() {
    return method;
  }
}
