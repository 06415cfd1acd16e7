package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.WriteProposal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ForwardedWritesTest {
  private final AtomicReference<String> leader = new AtomicReference<>("n1");
  /** Each copy sent: where it went and its reply, which the test completes. */
  private final List<ForwardedWrites.Sent> sent = new ArrayList<>();
  private final ForwardedWrites writes = new ForwardedWrites(proposal -> {
    ForwardedWrites.Sent copy = new ForwardedWrites.Sent(leader.get(), new CompletableFuture<>());
    sent.add(copy);
    return copy;
  }, leader::get, Runnable::run);

  private static Proposal write(long sequence) {
    return Proposal.newBuilder().setWrite(WriteProposal.newBuilder().setClientId("c").setSequence(sequence)).build();
  }

  @Test
  void aWriteWaitingOnAFormerLeaderIsSentToTheNewOneAndTheFirstCommitAnswers() throws Exception {
    CompletableFuture<CommittedReply> reply = writes.forward(write(1));
    assertThat(sent).extracting(ForwardedWrites.Sent::leader).containsExactly("n1");

    leader.set("n2");  // n1 froze; n2 was elected
    writes.leaderChanged();
    assertThat(sent).extracting(ForwardedWrites.Sent::leader).containsExactly("n1", "n2");

    sent.get(1).reply().complete(new CommittedReply(42, new byte[0]));
    assertThat(reply.get().logIndex()).isEqualTo(42);
    assertThat(writes.waiting()).isZero();
    // The copy on the frozen leader answers late (e.g. superseded): the write was answered already.
    sent.get(0).reply().completeExceptionally(new UnavailableException("late"));
    assertThat(reply.get().logIndex()).isEqualTo(42);
  }

  @Test
  void aWriteIsNotSentAgainToALeaderItWentToNorDuringAnElectionNorBeyondTheCap() {
    CompletableFuture<CommittedReply> reply = writes.forward(write(1));
    writes.leaderChanged();  // same leader (e.g. a log line's notification): nothing to do
    leader.set(null);
    writes.leaderChanged();  // an election: no leader to send to
    assertThat(sent).hasSize(1);

    for (String next : List.of("n2", "n3", "n1", "n2", "n3")) {
      leader.set(next);
      writes.leaderChanged();
    }
    assertThat(sent).hasSize(ForwardedWrites.MAX_COPIES);
    assertThat(reply).isNotDone();
  }

  @Test
  void aWriteFailsOnlyOnceEveryCopyFailed() {
    CompletableFuture<CommittedReply> reply = writes.forward(write(1));
    leader.set("n2");
    writes.leaderChanged();

    sent.get(0).reply().completeExceptionally(new UnavailableException("n1 timed out"));
    assertThat(reply).as("the copy on n2 may still commit").isNotDone();
    sent.get(1).reply().completeExceptionally(new UnavailableException("n2 failed too"));
    assertThatThrownBy(reply::get).isInstanceOf(ExecutionException.class).hasMessageContaining("n2 failed too");
    assertThat(writes.waiting()).isZero();
  }

  @Test
  void answeredWritesAreNotSentAgain() throws Exception {
    CompletableFuture<CommittedReply> reply = writes.forward(write(1));
    sent.get(0).reply().complete(new CommittedReply(7, new byte[0]));
    leader.set("n2");
    writes.leaderChanged();
    assertThat(sent).hasSize(1);
    assertThat(reply.get().logIndex()).isEqualTo(7);
  }
}
