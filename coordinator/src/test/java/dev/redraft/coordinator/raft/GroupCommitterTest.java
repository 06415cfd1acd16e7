package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.WriteGroupResult;
import dev.redraft.log.v1.WriteProposal;
import dev.redraft.log.v1.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {
  /** A Raft stand-in that records each proposal and lets the test decide when and how it returns. */
  private static final class RecordingSender implements GroupCommitter.Sender {
    final List<Proposal> sent = new ArrayList<>();
    final List<CompletableFuture<CommittedReply>> replies = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<CommittedReply> send(Proposal proposal) {
      sent.add(proposal);
      CompletableFuture<CommittedReply> reply = new CompletableFuture<>();
      replies.add(reply);
      return reply;
    }

    /** Commits proposal {@code n} at {@code index}, with a result per write naming its client and sequence. */
    void commit(int n, long index) {
      Proposal proposal = sent.get(n);
      if (proposal.hasWrite()) {
        replies.get(n).complete(new CommittedReply(index, resultOf(proposal.getWrite()).toByteArray()));
      } else {
        WriteGroupResult.Builder group = WriteGroupResult.newBuilder();
        proposal.getWriteGroup().getWritesList().forEach(w -> group.addResults(resultOf(w)));
        replies.get(n).complete(new CommittedReply(index, group.build().toByteArray()));
      }
    }

    private static WriteResult resultOf(WriteProposal write) {
      return WriteResult.newBuilder()
          .setRespReplies(ByteString.copyFromUtf8(write.getClientId() + "#" + write.getSequence())).build();
    }
  }

  private static WriteProposal write(String client, long sequence, int valueBytes) {
    return WriteProposal.newBuilder().setClientId(client).setSequence(sequence)
        .addCommands(ProposedCommand.newBuilder().addArgv(ByteString.copyFromUtf8("SET"))
            .addArgv(ByteString.copyFromUtf8("k")).addArgv(ByteString.copyFrom(new byte[valueBytes])))
        .build();
  }

  private static String result(CompletableFuture<CommittedReply> reply) throws Exception {
    return WriteResult.parseFrom(reply.get().content()).getRespReplies().toStringUtf8();
  }

  @Test
  void aLoneWriteLeavesAtOnceAsAPlainEntry() throws Exception {
    RecordingSender raft = new RecordingSender();
    GroupCommitter committer = new GroupCommitter(raft, 2, 100, 1 << 20);
    CompletableFuture<CommittedReply> reply = committer.submit(write("a", 1, 10));
    assertThat(raft.sent).hasSize(1);
    assertThat(raft.sent.get(0).hasWrite()).isTrue();
    raft.commit(0, 7);
    assertThat(reply.get().logIndex()).isEqualTo(7);
    assertThat(result(reply)).isEqualTo("a#1");
  }

  @Test
  void writesArrivingWhileProposalsAreInFlightLeaveTogetherAndEachGetsItsOwnResult() throws Exception {
    RecordingSender raft = new RecordingSender();
    GroupCommitter committer = new GroupCommitter(raft, 1, 100, 1 << 20);
    CompletableFuture<CommittedReply> first = committer.submit(write("a", 1, 10));
    List<CompletableFuture<CommittedReply>> later = new ArrayList<>();
    for (int c = 0; c < 5; c++) {
      later.add(committer.submit(write("c" + c, 3, 10)));
    }
    assertThat(raft.sent).as("only one proposal in flight").hasSize(1);
    raft.commit(0, 10);
    assertThat(result(first)).isEqualTo("a#1");
    assertThat(raft.sent).hasSize(2);
    assertThat(raft.sent.get(1).getWriteGroup().getWritesList()).extracting(WriteProposal::getClientId)
        .containsExactly("c0", "c1", "c2", "c3", "c4");
    raft.commit(1, 11);
    for (int c = 0; c < 5; c++) {
      assertThat(later.get(c).get().logIndex()).isEqualTo(11);
      assertThat(result(later.get(c))).isEqualTo("c" + c + "#3");
    }
  }

  @Test
  void aGroupNeverExceedsItsByteLimitButAnOversizedWriteStillLeavesAlone() {
    RecordingSender raft = new RecordingSender();
    GroupCommitter committer = new GroupCommitter(raft, 1, 100, 3_000);
    committer.submit(write("first", 1, 10));
    committer.submit(write("a", 1, 1_000));
    committer.submit(write("b", 1, 1_000));
    committer.submit(write("c", 1, 1_000));
    committer.submit(write("huge", 1, 10_000));
    raft.commit(0, 1);
    assertThat(raft.sent.get(1).getWriteGroup().getWritesList()).extracting(WriteProposal::getClientId)
        .containsExactly("a", "b");
    raft.commit(1, 2);
    assertThat(raft.sent.get(2).getWrite().getClientId()).isEqualTo("c");
    raft.commit(2, 3);
    assertThat(raft.sent.get(3).getWrite().getClientId()).isEqualTo("huge");
  }

  @Test
  void aGroupRefusedForOneBadWriteIsSentAgainWriteByWriteSoOnlyTheBadOneFails() throws Exception {
    RecordingSender raft = new RecordingSender();
    GroupCommitter committer = new GroupCommitter(raft, 1, 100, 1 << 20);
    committer.submit(write("first", 1, 10));
    CompletableFuture<CommittedReply> good = committer.submit(write("good", 1, 10));
    CompletableFuture<CommittedReply> bad = committer.submit(write("bad", 1, 10));
    raft.commit(0, 1);
    raft.replies.get(1).completeExceptionally(new InvalidRequestException("ERR unknown command 'FOO'"));
    assertThat(raft.sent).hasSize(4);
    assertThat(raft.sent.get(2).getWrite().getClientId()).isEqualTo("good");
    assertThat(raft.sent.get(3).getWrite().getClientId()).isEqualTo("bad");
    raft.commit(2, 2);
    raft.replies.get(3).completeExceptionally(new InvalidRequestException("ERR unknown command 'FOO'"));
    assertThat(result(good)).isEqualTo("good#1");
    assertThat(bad).failsWithin(java.time.Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(InvalidRequestException.class);
  }

  @Test
  void aGroupThatCouldNotCommitFailsEveryWriteInItAndTheNextOneStillLeaves() throws Exception {
    RecordingSender raft = new RecordingSender();
    GroupCommitter committer = new GroupCommitter(raft, 1, 100, 1 << 20);
    committer.submit(write("first", 1, 10));
    CompletableFuture<CommittedReply> x = committer.submit(write("x", 1, 10));
    CompletableFuture<CommittedReply> y = committer.submit(write("y", 1, 10));
    raft.commit(0, 1);
    CompletableFuture<CommittedReply> z = committer.submit(write("z", 1, 10));
    raft.replies.get(1).completeExceptionally(new UnavailableException("leader changed"));
    assertThat(x).isCompletedExceptionally();
    assertThat(y).isCompletedExceptionally();
    assertThat(raft.sent).hasSize(3);
    assertThat(raft.sent.get(2).getWrite().getClientId()).isEqualTo("z");
    raft.commit(2, 2);
    assertThat(result(z)).isEqualTo("z#1");
  }
}
