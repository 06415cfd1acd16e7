package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a group's election timer when a leader's appendEntries stream to this node ended: broken off
 * (cancelled: the leader's connection closed or reset, as when its process dies) or closed by the leader
 * (its appenders stop when it stops or steps down), with the id of the leader that sent it; and that an
 * append arrived, which ends such a loss.
 *
 * <p>Why: a leader whose process died (killed, crashed, restarted) closes its connections at once, yet
 * each follower waited out its own random election timeout, anywhere up to election-timeout-max after the
 * leader's last message (fault runs: elections 1.2-1.7 s after the kill, with timeouts of 1-2 s). Told
 * here, the followers campaign at election-timeout-min of silence, one after another by rank ({@link
 * ElectionTimer#streamEnded}): a timeout the timer could have drawn. A leader that is alive sends on
 * (Ratis 3.3.0 leaves a stream it gave up open rather than closing it), and a leader cut off or frozen
 * closes nothing: both are left to the timeout as before.
 */
final class LeaderStreamLoss implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderStreamLoss.class);

  /** What a group's election timer is told. */
  interface Listener {
    /** An append stream of {@code sender} ended (on a gRPC thread). */
    void streamEnded(String sender);

    /** An append arrived (on the transport's thread: must be cheap). */
    void appendReceived();
  }

  private final Map<RaftGroupId, Listener> timers = new ConcurrentHashMap<>();

  void listen(RaftGroupId group, Listener listener) {
    timers.put(group, listener);
  }

  void stopListening(RaftGroupId group, Listener listener) {
    timers.remove(group, listener);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                     ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!SerialAppendEntries.METHOD.equals(call.getMethodDescriptor().getFullMethodName())) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      /** The stream's sender and its group's timer, from its first request (a stream carries one group). */
      private volatile String sender;
      private volatile Listener timer;

      @Override
      public void onMessage(Q message) {
        Listener told = timer;
        if (told == null && message instanceof AppendEntriesRequestProto append) {
          told = firstRequest(append);
        }
        if (told != null) {
          told.appendReceived();
        }
        super.onMessage(message);
      }

      private Listener firstRequest(AppendEntriesRequestProto append) {
        try {
          sender = RaftPeerId.valueOf(append.getServerRequest().getRequestorId()).toString();
          timer = timers.get(RaftGroupId.valueOf(append.getServerRequest().getRaftGroupId().getId()));
        } catch (RuntimeException e) {
          LOG.debug("could not read an append stream's group and sender: {}", e.toString());
        }
        return timer;
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } finally {
          ended();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          ended();
        }
      }

      private void ended() {
        Listener told = timer;
        if (told != null) {
          try {
            told.streamEnded(sender);
          } catch (RuntimeException e) {
            LOG.debug("could not pass on an ended leader stream: {}", e.toString());
          }
        }
      }
    };
  }
}
