package dev.redraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.CallError;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** How concurrent operations share calls: the grouping, each one's own outcome, and the fallbacks. */
class CallCoalescerTest {
  /** Records every call; each call's future is completed by the test. */
  private static final class RecordingSender implements CallCoalescer.Sender<String, String> {
    final List<String> singles = new CopyOnWriteArrayList<>();
    final List<List<String>> manys = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<String>> singleCalls = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<List<CallCoalescer.Outcome<String>>>> manyCalls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<String> single(String request) {
      singles.add(request);
      CompletableFuture<String> call = new CompletableFuture<>();
      singleCalls.add(call);
      return call;
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<String>>> many(List<String> requests) {
      manys.add(List.copyOf(requests));
      CompletableFuture<List<CallCoalescer.Outcome<String>>> call = new CompletableFuture<>();
      manyCalls.add(call);
      return call;
    }
  }

  private static CallCoalescer<String, String> coalescer(RecordingSender sender, int maxBatch) {
    return new CallCoalescer<>(sender, 2, maxBatch, 1_000, String::length);
  }

  private static CallCoalescer.Outcome<String> ok(String value) {
    return new CallCoalescer.Outcome<>(value, null, "n1");
  }

  @Test
  void operationsThatArriveWhileCallsAreInFlightLeaveTogetherEachWithItsOwnOutcome() {
    RecordingSender sender = new RecordingSender();
    CallCoalescer<String, String> calls = coalescer(sender, 100);
    CompletableFuture<String> a = calls.submit("a");
    CompletableFuture<String> b = calls.submit("b");
    List<CompletableFuture<String>> waiting = new ArrayList<>();
    for (String q : List.of("c", "d", "e")) {
      waiting.add(calls.submit(q));
    }
    // Two calls in flight at most: a and b went alone at once, the rest waits.
    assertThat(sender.singles).containsExactly("a", "b");
    assertThat(sender.manys).isEmpty();

    sender.singleCalls.get(0).complete("A");
    assertThat(a).isCompletedWithValue("A");
    assertThat(sender.manys).containsExactly(List.of("c", "d", "e"));
    sender.manyCalls.get(0).complete(List.of(ok("C"), new CallCoalescer.Outcome<>(null,
        CallError.newBuilder().setCode(Status.Code.INVALID_ARGUMENT.value()).setMessage("bad d").build(), "n1"), ok("E")));

    assertThat(waiting.get(0)).isCompletedWithValue("C");
    assertThat(waiting.get(2)).isCompletedWithValue("E");
    assertThatThrownBy(waiting.get(1)::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(CallFailedException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("bad d");
    assertThat(b).isNotDone();
  }

  @Test
  void aRetryableOutcomeGoesAgainAloneAndAFailedCallFailsEveryOperationOfIt() {
    RecordingSender sender = new RecordingSender();
    CallCoalescer<String, String> calls = coalescer(sender, 100);
    calls.submit("a");
    calls.submit("b");
    CompletableFuture<String> c = calls.submit("c");
    CompletableFuture<String> d = calls.submit("d");
    sender.singleCalls.get(0).complete("A");
    sender.manyCalls.get(0).complete(List.of(new CallCoalescer.Outcome<>(null,
        CallError.newBuilder().setCode(Status.Code.UNAVAILABLE.value()).setRetryable(true).build(), "n2"), ok("D")));

    assertThat(d).isCompletedWithValue("D");
    assertThat(sender.singles).containsExactly("a", "b", "c");
    sender.singleCalls.get(2).complete("C again");
    assertThat(c).isCompletedWithValue("C again");

    CompletableFuture<String> e = calls.submit("e");
    CompletableFuture<String> f = calls.submit("f");
    // b and e are in flight: f and g wait, and leave together in one many-call when e returns.
    CompletableFuture<String> g = calls.submit("g");
    sender.singleCalls.get(3).complete("E");
    assertThat(e).isCompletedWithValue("E");
    sender.manyCalls.get(1).completeExceptionally(new IllegalStateException("connection reset"));
    assertThatThrownBy(f::join).hasRootCauseMessage("connection reset");
    assertThatThrownBy(g::join).hasRootCauseMessage("connection reset");
  }

  @Test
  void batchesKeepToTheCountAndByteLimitsAndAServerWithoutManyCallsGetsSingles() {
    RecordingSender sender = new RecordingSender();
    CallCoalescer<String, String> calls = new CallCoalescer<>(sender, 1, 3, 10, String::length);
    calls.submit("x");
    List<CompletableFuture<String>> queued = new ArrayList<>();
    for (String q : List.of("aaaa", "bbbb", "cccc", "d", "e")) {
      queued.add(calls.submit(q));
    }
    sender.singleCalls.get(0).complete("X");
    // 10 bytes at most: "aaaa" + "bbbb" fit, "cccc" would not.
    assertThat(sender.manys).containsExactly(List.of("aaaa", "bbbb"));
    sender.manyCalls.get(0).completeExceptionally(new CallFailedException(Status.UNIMPLEMENTED, "n1", 1, 0, false, false,
        false));
    // The server has no many-call: those two go alone, and so does everything waiting or sent after,
    // without waiting for one another (as a client without coalescing would).
    assertThat(sender.singles).containsExactly("x", "aaaa", "bbbb", "cccc", "d", "e");
    sender.singleCalls.get(1).complete("A");
    assertThat(queued.get(0)).isCompletedWithValue("A");
    calls.submit("f");
    assertThat(sender.singles).endsWith("f");
    assertThat(sender.manys).hasSize(1);
  }

  /**
   * A round splits by partition (in a sharded cluster: the node leading each operation's group), one call
   * each, sent at once; the next round starts when every call of this one returned, so each partition
   * gets a share of every round rather than small calls of its own.
   */
  @Test
  void aRoundGoesOutAsOneCallPerPartitionAndTheNextWaitsForAllOfThem() {
    RecordingSender sender = new RecordingSender();
    CallCoalescer<String, String> calls = new CallCoalescer<>(sender, 1, 100, 1_000, String::length,
        q -> q.startsWith("x") ? null : q.substring(0, 1));
    CompletableFuture<String> first = calls.submit("a0");
    List<CompletableFuture<String>> round = new ArrayList<>();
    for (String q : List.of("a1", "b1", "a2", "x1", "b2")) {
      round.add(calls.submit(q));
    }
    assertThat(sender.singles).containsExactly("a0");
    sender.singleCalls.get(0).complete("A0");
    assertThat(first).isCompletedWithValue("A0");
    // The waiting five: one call per partition (x: no partition), each in arrival order.
    assertThat(sender.manys).containsExactly(List.of("a1", "a2"), List.of("b1", "b2"));
    assertThat(sender.singles).containsExactly("a0", "x1");

    CompletableFuture<String> next = calls.submit("a3");
    sender.manyCalls.get(0).complete(List.of(ok("A1"), ok("A2")));
    sender.singleCalls.get(1).complete("X1");
    assertThat(round.get(0)).isCompletedWithValue("A1");
    assertThat(round.get(3)).isCompletedWithValue("X1");
    assertThat(sender.singles).as("b's call is still out: the next round waits").hasSize(2);
    sender.manyCalls.get(1).complete(List.of(ok("B1"), ok("B2")));
    assertThat(round.get(4)).isCompletedWithValue("B2");
    assertThat(sender.singles).containsExactly("a0", "x1", "a3");
    sender.singleCalls.get(2).complete("A3");
    assertThat(next).isCompletedWithValue("A3");
  }
}
