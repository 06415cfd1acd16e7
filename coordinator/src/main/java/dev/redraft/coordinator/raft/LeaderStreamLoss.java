package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 * (its appenders stop when it stops or steps down), with the id of the leader that sent it.
 *
 * <p>Why: a leader whose process died (killed, crashed, restarted) resets its connections at once, yet
 * each follower waited out its own random election timeout, anywhere up to election-timeout-max after the
 * leader's last message (fault runs: 1.6-2.1 s of silence before the election, with timeouts of 1-2 s).
 * Told here, the followers campaign at election-timeout-min of silence, one after another by rank ({@link
 * ElectionTimer#leaderStreamLost}): a timeout the timer could have drawn, which a leader that is alive
 * (a stream it reopened) resets with its next message. A leader cut off or frozen closes nothing and is
 * found by the timeout as before.
 */
final class LeaderStreamLoss implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderStreamLoss.class);

  private final Map<RaftGroupId, Consumer<String>> timers = new ConcurrentHashMap<>();

  /** {@code onLoss} is given the sender's id (on a gRPC thread) each time an append stream of {@code group} breaks off. */
  void listen(RaftGroupId group, Consumer<String> onLoss) {
    timers.put(group, onLoss);
  }

  void stopListening(RaftGroupId group, Consumer<String> onLoss) {
    timers.remove(group, onLoss);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                     ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!SerialAppendEntries.METHOD.equals(call.getMethodDescriptor().getFullMethodName())) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      /** The stream's group and sender, from its first request (a stream carries one group's appends). */
      private volatile AppendEntriesRequestProto first;

      @Override
      public void onMessage(Q message) {
        if (first == null && message instanceof AppendEntriesRequestProto append) {
          first = append;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } finally {
          lost(first);
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          lost(first);
        }
      }
    };
  }

  private void lost(AppendEntriesRequestProto first) {
    if (first == null) {
      return;
    }
    try {
      Consumer<String> timer = timers.get(RaftGroupId.valueOf(first.getServerRequest().getRaftGroupId().getId()));
      if (timer != null) {
        timer.accept(RaftPeerId.valueOf(first.getServerRequest().getRequestorId()).toString());
      }
    } catch (RuntimeException e) {
      LOG.debug("could not pass on a broken leader stream: {}", e.toString());
    }
  }
}
