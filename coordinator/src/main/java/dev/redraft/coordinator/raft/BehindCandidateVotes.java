package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a group's election timer when this node refused a (pre-)vote to a candidate whose log is behind
 * its own.
 *
 * <p>Why: such a candidate cannot win, yet its campaign is the first sign that the leader is gone; each
 * follower's timer would otherwise wait out its own random timeout. When the follower that times out
 * first is behind (a re-added member, or one a few entries short under load), the election was decided
 * by the other follower's later timer, up to election-timeout-max after the leader's last message (fault
 * runs: 1.5 s for the behind node, 1.98 s for the up-to-date one, with timeouts of 1-2 s). Told here, the
 * up-to-date follower campaigns once its own silence has reached election-timeout-min, or later by its
 * rank in a larger cluster ({@link ElectionTimer#behindCandidateRefused}), within the range its timer
 * draws from anyway.
 */
final class BehindCandidateVotes implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(BehindCandidateVotes.class);
  static final String METHOD = RaftServerProtocolServiceGrpc.getRequestVoteMethod().getFullMethodName();

  private final Map<RaftGroupId, Consumer<String>> timers = new ConcurrentHashMap<>();

  /**
   * {@code onRefusal} is given the candidate's id (on a gRPC thread) each time this node refuses a behind
   * candidate of {@code group}.
   */
  void listen(RaftGroupId group, Consumer<String> onRefusal) {
    timers.put(group, onRefusal);
  }

  void stopListening(RaftGroupId group, Consumer<String> onRefusal) {
    timers.remove(group, onRefusal);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                     ServerCallHandler<Q, A> next) {
    if (!METHOD.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    AtomicReference<RequestVoteRequestProto> request = new AtomicReference<>();
    ServerCall<Q, A> watched = new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(A message) {
        super.sendMessage(message); // the candidate's answer first: nothing here may delay or fail it
        RequestVoteRequestProto asked = request.get();
        if (asked != null && message instanceof RequestVoteReplyProto reply) {
          try {
            replied(asked, reply);
          } catch (RuntimeException e) {
            LOG.debug("could not pass on a vote refusal: {}", e.toString());
          }
        }
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
      @Override
      public void onMessage(Q message) {
        if (message instanceof RequestVoteRequestProto asked) {
          request.set(asked);
        }
        super.onMessage(message);
      }
    };
  }

  private void replied(RequestVoteRequestProto asked, RequestVoteReplyProto reply) {
    if (reply.getServerReply().getSuccess() || !reply.hasLastEntry()
        || !isNewer(reply.getLastEntry(), asked.getCandidateLastEntry())) {
      return;
    }
    Consumer<String> timer = timers.get(RaftGroupId.valueOf(asked.getServerRequest().getRaftGroupId().getId()));
    if (timer != null) {
      timer.accept(RaftPeerId.valueOf(asked.getServerRequest().getRequestorId()).toString());
    }
  }

  /** Raft's "more up to date": a later last term, or the same term and a longer log. */
  static boolean isNewer(TermIndexProto mine, TermIndexProto candidate) {
    return mine.getTerm() != candidate.getTerm() ? mine.getTerm() > candidate.getTerm()
        : mine.getIndex() > candidate.getIndex();
  }
}
