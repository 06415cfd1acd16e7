package dev.redraft.client.testing;

import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.client.ChannelFactory;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * An in-process gRPC server implementing the KV and Admin services with behaviour each test
 * scripts. It records every request it receives. It stands in for a coordinator node, not for
 * Redis: replies are whatever the test scripts.
 */
public final class ScriptedServer implements AutoCloseable {
  private final String name = "redraft-scripted-" + UUID.randomUUID();
  private final Server server;
  public final List<WriteRequest> writes = new CopyOnWriteArrayList<>();
  public final List<ReadRequest> reads = new CopyOnWriteArrayList<>();
  public final List<String> adminCalls = new CopyOnWriteArrayList<>();
  private volatile BiConsumer<WriteRequest, StreamObserver<WriteResponse>> onWrite =
      (request, observer) -> answer(observer, writeReply(TestReplies.ok()));
  private volatile BiConsumer<ReadRequest, StreamObserver<ReadResponse>> onRead =
      (request, observer) -> answer(observer, readReply(TestReplies.nil()));
  private volatile ClusterStatusResponse clusterStatus = ClusterStatusResponse.getDefaultInstance();
  private volatile ResponseHeader header = ResponseHeader.getDefaultInstance();

  public ScriptedServer() {
    try {
      server = InProcessServerBuilder.forName(name)
          .addService(new KvService())
          .addService(new AdminService())
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint name clients use (see {@link #channels()}). */
  public String endpoint() {
    return name;
  }

  /** Opens in-process channels, treating each endpoint as a server name. */
  public static ChannelFactory channels() {
    return endpoint -> InProcessChannelBuilder.forName(endpoint).build();
  }

  /** Like {@link #channels()}, and remembers every channel it opened. */
  public static ChannelFactory recordingChannels(List<ManagedChannel> opened) {
    return endpoint -> {
      ManagedChannel channel = InProcessChannelBuilder.forName(endpoint).build();
      opened.add(channel);
      return channel;
    };
  }

  public ScriptedServer onWrite(BiConsumer<WriteRequest, StreamObserver<WriteResponse>> behaviour) {
    this.onWrite = behaviour;
    return this;
  }

  public ScriptedServer onRead(BiConsumer<ReadRequest, StreamObserver<ReadResponse>> behaviour) {
    this.onRead = behaviour;
    return this;
  }

  public ScriptedServer clusterStatus(ClusterStatusResponse response) {
    this.clusterStatus = response;
    return this;
  }

  /** The header put on every default answer. */
  public ScriptedServer header(ResponseHeader value) {
    this.header = value;
    return this;
  }

  public WriteResponse writeReply(Reply... replies) {
    WriteResponse.Builder response = WriteResponse.newBuilder().setHeader(header).setLogIndex(writes.size());
    for (Reply reply : replies) {
      response.addReplies(reply);
    }
    return response.build();
  }

  public ReadResponse readReply(Reply reply) {
    return ReadResponse.newBuilder().setHeader(header).setReply(reply).build();
  }

  public static <T> void answer(StreamObserver<T> observer, T response) {
    observer.onNext(response);
    observer.onCompleted();
  }

  public static void fail(StreamObserver<?> observer, Status status) {
    observer.onError(status.asRuntimeException());
  }

  /** Fails with a status the server marks as retryable (trailer redraft-retryable: true). */
  public static void failRetryable(StreamObserver<?> observer, Status status) {
    Metadata trailers = new Metadata();
    trailers.put(Metadata.Key.of("redraft-retryable", Metadata.ASCII_STRING_MARSHALLER), "true");
    observer.onError(status.asRuntimeException(trailers));
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private final class KvService extends KVGrpc.KVImplBase {
    @Override
    public void write(WriteRequest request, StreamObserver<WriteResponse> observer) {
      writes.add(request);
      onWrite.accept(request, observer);
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
      reads.add(request);
      onRead.accept(request, observer);
    }
  }

  private final class AdminService extends AdminGrpc.AdminImplBase {
    @Override
    public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> observer) {
      adminCalls.add("NodeStatus");
      ClusterStatusResponse cluster = clusterStatus;
      NodeStatusResponse.Builder response = NodeStatusResponse.newBuilder().setHeader(header);
      if (cluster.getMembersCount() > 0) {
        response.setMember(cluster.getMembers(0));
      }
      answer(observer, response.build());
    }

    @Override
    public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
      adminCalls.add("ClusterStatus");
      answer(observer, clusterStatus);
    }
  }
}
