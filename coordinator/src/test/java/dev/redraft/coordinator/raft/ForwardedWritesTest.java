package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.WriteProposal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ForwardedWritesTest {
  private final AtomicReference<String> leader = new AtomicReference<>("n1");
  private final AtomicLong nanos = new AtomicLong();
  /** Each copy sent: where it went and its reply, which the test completes. */
  private final List<ForwardedWrites.Sent> sent = new ArrayList<>();
  private final ForwardedWrites writes = new ForwardedWrites("node n9", proposal -> {
    ForwardedWrites.Sent copy = new ForwardedWrites.Sent(leader.get(), new CompletableFuture<>());
    sent.add(copy);
    return copy;
  }, leader::get, Runnable::run, () -> nanos.get());

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

  @Test
  void aSlowWriteIsLoggedWithWhereEachCopyWentAndWhenItAnswered() {
    Logger logger = (Logger) LoggerFactory.getLogger(ForwardedWrites.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      CompletableFuture<CommittedReply> quick = writes.forward(write(1));
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
      sent.get(0).reply().complete(new CommittedReply(1, new byte[0]));
      assertThat(quick).isDone();
      assertThat(logged.list).as("a quick write is not logged").isEmpty();

      writes.forward(write(2));
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(3_000));
      leader.set("n2");
      writes.leaderChanged();
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
      sent.get(2).reply().complete(new CommittedReply(9, new byte[0]));

      assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
          .filteredOn(line -> line.startsWith("node n9: a forwarded write proposal")).singleElement().asString().contains("committed after 3250 ms", "copy to n1 sent at +0 ms", "copy to n2 sent at +3000 ms",
              "copy to n2 committed at +3250 ms");
    } finally {
      logger.detachAppender(logged);
    }
  }

  @Test
  void aFailureIsToldByItsInnermostCauseAndTheStartOfItsMessage() {
    String longMessage = "x".repeat(500);
    String brief = ForwardedWrites.briefly(new java.util.concurrent.CompletionException(new IllegalStateException(longMessage)));
    assertThat(brief).startsWith("IllegalStateException: xxx").hasSizeLessThan(160);
  }
}
