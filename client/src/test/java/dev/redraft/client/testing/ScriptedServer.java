package dev.redraft.client.testing;

import com.google.protobuf.Message;
import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.NodeVerification;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.api.v1.TransferLeadershipResponse;
import dev.redraft.api.v1.CallError;
import dev.redraft.api.v1.WriteManyRequest;
import dev.redraft.api.v1.WriteManyResponse;
import dev.redraft.api.v1.WriteOutcome;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.client.ChannelFactory;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * An in-process gRPC server (or one on a loopback port: {@link #onLoopbackPort}) implementing the KV and
 * Admin services with behaviour each test scripts. It records every request it receives. It stands in
 * for a coordinator node, not for Redis: replies are whatever the test scripts.
 */
public final class ScriptedServer implements AutoCloseable {
  private final String name = "redraft-scripted-" + UUID.randomUUID();
  private final Server server;
  private final int port;
  public final List<WriteRequest> writes = new CopyOnWriteArrayList<>();
  /** How many WriteMany calls arrived (their writes are in {@link #writes} too). */
  public final AtomicInteger writeManyCalls = new AtomicInteger();
  public final List<ReadRequest> reads = new CopyOnWriteArrayList<>();
  public final List<String> adminCalls = new CopyOnWriteArrayList<>();
  /** The requests of admin changes (AddNode, RemoveNode, PromoteNode, TransferLeadership, TakeSnapshot). */
  public final List<Message> adminRequests = new CopyOnWriteArrayList<>();
  /** The deadline of every admin call, in order (null: the caller set none). */
  public final List<Deadline> adminDeadlines = new CopyOnWriteArrayList<>();
  /** The membership the default change behaviours edit and answer with. */
  public final List<Member> membership = new CopyOnWriteArrayList<>();
  private volatile BiConsumer<Message, StreamObserver<Message>> onAdminChange = this::defaultAdminChange;
  private volatile BiConsumer<WriteRequest, StreamObserver<WriteResponse>> onWrite =
      (request, observer) -> answer(observer, writeReply(TestReplies.ok()));
  private volatile BiConsumer<ReadRequest, StreamObserver<ReadResponse>> onRead =
      (request, observer) -> answer(observer, readReply(TestReplies.nil()));
  private volatile ClusterStatusResponse clusterStatus = ClusterStatusResponse.getDefaultInstance();
  /** Null: ClusterSlots is answered UNIMPLEMENTED, as by a node before sharding. */
  private volatile dev.redraft.api.v1.ClusterSlotsResponse clusterSlots;
  private volatile ResponseHeader header = ResponseHeader.getDefaultInstance();

  public ScriptedServer() {
    this(-1);
  }

  /** {@code port} -1: in-process (see {@link #channels()}); else a TCP server on 127.0.0.1:port. */
  private ScriptedServer(int port) {
    this.port = port;
    try {
      ServerBuilder<?> builder = port < 0 ? InProcessServerBuilder.forName(name)
          : NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = builder.addService(new KvService()).addService(new AdminService()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same services on a real TCP port of 127.0.0.1 (clients use {@link ChannelFactory#plaintext()}). */
  public static ScriptedServer onLoopbackPort(int port) {
    return new ScriptedServer(port);
  }

  /** The endpoint clients use: the in-process name (see {@link #channels()}), or 127.0.0.1:port. */
  public String endpoint() {
    return port < 0 ? name : "127.0.0.1:" + port;
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

  /**
   * Replaces the default behaviour of every admin change: the request and an observer that takes the
   * matching response type (MembershipResponse, TransferLeadershipResponse or TakeSnapshotResponse).
   */
  public ScriptedServer onAdminChange(BiConsumer<Message, StreamObserver<Message>> behaviour) {
    this.onAdminChange = behaviour;
    return this;
  }

  /** Starts the membership with voters of these ids, at raft addresses 127.0.0.1:8001, 8002, .... */
  public ScriptedServer voters(String... ids) {
    for (String id : ids) {
      membership.add(Member.newBuilder().setNodeId(id).setRaftAddress("127.0.0.1:80" + id.replaceAll("\\D", "0"))
          .setVoter(true).build());
    }
    return this;
  }

  public ScriptedServer clusterStatus(ClusterStatusResponse response) {
    this.clusterStatus = response;
    return this;
  }

  public ScriptedServer clusterSlots(dev.redraft.api.v1.ClusterSlotsResponse response) {
    this.clusterSlots = response;
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

  /**
   * The default answers: AddNode appends the node, RemoveNode drops it, PromoteNode makes it a voter
   * (NOT_FOUND-like refusals as FAILED_PRECONDITION for unknown ids), TransferLeadership names the
   * requested node (or n2), TakeSnapshot answers index 42 on the requested node (or n1).
   */
  private void defaultAdminChange(Message request, StreamObserver<Message> observer) {
    if (request instanceof AddNodeRequest add) {
      if (indexOf(add.getNodeId()) >= 0) {
        fail(observer, Status.FAILED_PRECONDITION.withDescription(add.getNodeId() + " is already a member"));
        return;
      }
      membership.add(Member.newBuilder().setNodeId(add.getNodeId()).setRaftAddress(add.getRaftAddress())
          .setVoter(!add.getLearner()).build());
      answer(observer, membershipResponse());
    } else if (request instanceof RemoveNodeRequest remove) {
      int index = indexOf(remove.getNodeId());
      if (index < 0) {
        fail(observer, Status.FAILED_PRECONDITION.withDescription(remove.getNodeId() + " is not a member"));
        return;
      }
      membership.remove(index);
      answer(observer, membershipResponse());
    } else if (request instanceof PromoteNodeRequest promote) {
      int index = indexOf(promote.getNodeId());
      if (index < 0) {
        fail(observer, Status.FAILED_PRECONDITION.withDescription(promote.getNodeId() + " is not a member"));
        return;
      }
      membership.set(index, membership.get(index).toBuilder().setVoter(true).build());
      answer(observer, membershipResponse());
    } else if (request instanceof TransferLeadershipRequest transfer) {
      answer(observer, TransferLeadershipResponse.newBuilder().setHeader(header)
          .setLeaderId(transfer.getNodeId().isEmpty() ? "n2" : transfer.getNodeId()).build());
    } else if (request instanceof dev.redraft.api.v1.MoveSlotsRequest move) {
      int slots = move.getSlotsList().stream().mapToInt(r -> r.getLast() - r.getFirst() + 1).sum();
      answer(observer, dev.redraft.api.v1.MoveSlotsResponse.newBuilder().setHeader(header).setMoveId(41)
          .setSourceGroup(ownerOf(move.getSlots(0).getFirst())).setTargetGroup(move.getTargetGroup()).setSlotCount(slots).setMapVersion(3).build());
    } else if (request instanceof VerifyRequest) {
      answer(observer, VerifyResponse.newBuilder().setHeader(header).setRound(77).setVerdict("DIVERGED")
          .addNodes(NodeVerification.newBuilder().setNodeId("n1").setRound(77).setDigest("aa11").setVerdict("MATCH"))
          .addNodes(NodeVerification.newBuilder().setNodeId("n2").setRound(77).setDigest("bb22").setVerdict("DIVERGED"))
          .build());
    } else if (request instanceof TakeSnapshotRequest snapshot) {
      answer(observer, TakeSnapshotResponse.newBuilder().setHeader(header)
          .setNodeId(snapshot.getNodeId().isEmpty() ? "n1" : snapshot.getNodeId()).setSnapshotIndex(42).build());
    } else {
      fail(observer, Status.UNIMPLEMENTED);
    }
  }

  /** The group the scripted slot layout gives {@code slot} (0 when none does). */
  private int ownerOf(int slot) {
    if (clusterSlots == null) {
      return 0;
    }
    for (dev.redraft.api.v1.GroupSlots group : clusterSlots.getGroupsList()) {
      for (dev.redraft.api.v1.SlotRange range : group.getSlotsList()) {
        if (range.getFirst() <= slot && slot <= range.getLast()) {
          return group.getGroup();
        }
      }
    }
    return 0;
  }

  public MembershipResponse membershipResponse() {
    return MembershipResponse.newBuilder().setHeader(header).addAllMembers(new ArrayList<>(membership)).build();
  }

  private int indexOf(String nodeId) {
    for (int i = 0; i < membership.size(); i++) {
      if (membership.get(i).getNodeId().equals(nodeId)) {
        return i;
      }
    }
    return -1;
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

    /** Each write goes through the scripted write behaviour; the call answers once all have. */
    @Override
    public void writeMany(WriteManyRequest request, StreamObserver<WriteManyResponse> observer) {
      writeManyCalls.incrementAndGet();
      int count = request.getWritesCount();
      WriteOutcome[] outcomes = new WriteOutcome[count];
      AtomicInteger left = new AtomicInteger(count);
      for (int i = 0; i < count; i++) {
        int at = i;
        write(request.getWrites(i), new StreamObserver<>() {
          @Override
          public void onNext(WriteResponse value) {
            outcomes[at] = WriteOutcome.newBuilder().setResponse(value).build();
          }

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            outcomes[at] = WriteOutcome.newBuilder().setError(CallError.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())
                .setRetryable(status.getCode() == Status.Code.UNAVAILABLE)).build();
            finish();
          }

          @Override
          public void onCompleted() {
            finish();
          }

          private void finish() {
            if (left.decrementAndGet() == 0) {
              observer.onNext(WriteManyResponse.newBuilder().setHeader(header)
                  .addAllOutcomes(java.util.Arrays.asList(outcomes)).build());
              observer.onCompleted();
            }
          }
        });
      }
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
    public void clusterSlots(dev.redraft.api.v1.ClusterSlotsRequest request,
        StreamObserver<dev.redraft.api.v1.ClusterSlotsResponse> observer) {
      // Not in adminCalls: the client library asks for the layout by itself, at its own times.
      if (clusterSlots == null) {
        fail(observer, Status.UNIMPLEMENTED.withDescription("no slot layout scripted"));
      } else {
        answer(observer, clusterSlots);
      }
    }

    @Override
    public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
      adminCalls.add("ClusterStatus");
      adminDeadlines.add(Context.current().getDeadline());
      answer(observer, clusterStatus);
    }

    @Override
    public void addNode(AddNodeRequest request, StreamObserver<MembershipResponse> observer) {
      change("AddNode", request, observer);
    }

    @Override
    public void removeNode(RemoveNodeRequest request, StreamObserver<MembershipResponse> observer) {
      change("RemoveNode", request, observer);
    }

    @Override
    public void promoteNode(PromoteNodeRequest request, StreamObserver<MembershipResponse> observer) {
      change("PromoteNode", request, observer);
    }

    @Override
    public void transferLeadership(TransferLeadershipRequest request,
                                   StreamObserver<TransferLeadershipResponse> observer) {
      change("TransferLeadership", request, observer);
    }

    @Override
    public void takeSnapshot(TakeSnapshotRequest request, StreamObserver<TakeSnapshotResponse> observer) {
      change("TakeSnapshot", request, observer);
    }

    @Override
    public void moveSlots(dev.redraft.api.v1.MoveSlotsRequest request,
                          StreamObserver<dev.redraft.api.v1.MoveSlotsResponse> observer) {
      change("MoveSlots", request, observer);
    }

    @Override
    public void verify(VerifyRequest request, StreamObserver<VerifyResponse> observer) {
      change("Verify", request, observer);
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> void change(String name, Message request, StreamObserver<T> observer) {
      adminCalls.add(name);
      adminRequests.add(request);
      adminDeadlines.add(Context.current().getDeadline());
      onAdminChange.accept(request, (StreamObserver<Message>) observer);
    }
  }
}
