package dev.redraft.coordinator.chaos.history;

import static dev.redraft.coordinator.chaos.history.Operation.Outcome.FAIL;
import static dev.redraft.coordinator.chaos.history.Operation.Outcome.OK;
import static dev.redraft.coordinator.chaos.history.Operation.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.chaos.history.LinearizabilityChecker.Result;
import dev.redraft.coordinator.chaos.history.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checker on hand-written legal and illegal histories, so a checker that always says OK (or
 * always says no) cannot pass. Times are small integers standing for nanoseconds.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LinearizabilityCheckerTest {
  private static final Duration BUDGET = Duration.ofSeconds(20);
  private long nextId;

  private Operation w(int client, String value, long invoke, long ret) {
    return Operation.write(nextId++, client, "k", value, invoke, ret, OK);
  }

  private Operation r(int client, String value, long invoke, long ret) {
    return Operation.read(nextId++, client, "k", value, invoke, ret, OK);
  }

  private Operation inc(int client, Long result, long invoke, long ret) {
    return Operation.incr(nextId++, client, "c", result, invoke, ret, result == null ? UNKNOWN : OK);
  }

  private Operation get(int client, long value, long invoke, long ret) {
    return Operation.read(nextId++, client, "c", Long.toString(value), invoke, ret, OK);
  }

  private static Verdict register(Operation... ops) {
    return LinearizabilityChecker.check(List.of(ops), key -> Model.REGISTER, BUDGET).verdict();
  }

  private static Verdict counter(Operation... ops) {
    return LinearizabilityChecker.check(List.of(ops), key -> Model.COUNTER, BUDGET).verdict();
  }

  // ---- legal ----

  @Test
  void sequentialWritesAndReadsAreLinearizable() {
    assertThat(register(r(1, null, 0, 1), w(1, "a", 2, 3), r(2, "a", 4, 5), w(2, "b", 6, 7), r(1, "b", 8, 9)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValue() {
    assertThat(register(w(1, "a", 0, 1), w(2, "b", 2, 10), r(3, "a", 3, 4), r(4, "b", 5, 6)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void concurrentWritesMayTakeEffectInEitherOrder() {
    assertThat(register(w(1, "a", 0, 10), w(2, "b", 1, 9), r(3, "a", 11, 12))).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(register(w(1, "a", 0, 10), w(2, "b", 1, 9), r(3, "b", 11, 12))).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void aWriteWithUnknownOutcomeMayTakeEffectLongAfterItWasSent() {
    Operation unknown = Operation.write(nextId++, 1, "k", "late", 0, 0, UNKNOWN);
    assertThat(register(unknown, w(2, "b", 5, 6), r(3, "b", 7, 8), r(3, "late", 100, 101), r(4, "late", 102, 103)))
        .isEqualTo(Verdict.LINEARIZABLE);
    // ... or never.
    assertThat(register(Operation.write(nextId++, 1, "k", "never", 0, 0, UNKNOWN), w(2, "b", 5, 6), r(3, "b", 7, 8)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void failedAndUnknownReadsAreDropped() {
    assertThat(register(w(1, "a", 0, 1), Operation.read(nextId++, 2, "k", "garbage", 2, 3, FAIL),
        Operation.read(nextId++, 3, "k", "junk", 2, 3, UNKNOWN), r(1, "a", 4, 5))).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void countersWithUnknownIncrementsStayWithinBounds() {
    assertThat(counter(inc(1, 1L, 0, 1), inc(2, null, 2, 3), inc(1, 3L, 4, 5), get(3, 3, 6, 7)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(counter(inc(1, 1L, 0, 1), inc(2, null, 2, 3), inc(1, 2L, 4, 5), get(3, 2, 6, 7)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  // ---- illegal ----

  @Test
  void aStaleReadIsFlagged() {
    // b was acknowledged before the read started, yet the read returned the older a.
    assertThat(register(w(1, "a", 0, 1), w(2, "b", 2, 3), r(3, "a", 4, 5))).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aLostWriteIsFlagged() {
    // An acknowledged write that no later read sees: the key went back to nil.
    assertThat(register(w(1, "a", 0, 1), r(2, null, 2, 3))).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aDuplicatedWriteIsFlagged() {
    // a was applied, overwritten by b, then applied again (a retry replayed): a reappears.
    assertThat(register(w(1, "a", 0, 1), w(2, "b", 2, 3), r(3, "b", 4, 5), r(3, "a", 6, 7)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    // One INCR applied twice: two acknowledged increments, yet the counter reads 3.
    assertThat(counter(inc(1, 1L, 0, 1), inc(2, 2L, 2, 3), get(3, 3, 4, 5))).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aWriteReportedFailedThatTookEffectIsFlagged() {
    Operation failed = Operation.write(nextId++, 1, "k", "ghost", 0, 1, FAIL);
    assertThat(register(failed, r(2, "ghost", 2, 3))).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void readsThatGoBackInTimeAcrossClientsAreFlagged() {
    // Two sequential reads during one long write: the second cannot see the older value again.
    assertThat(register(w(1, "a", 0, 1), w(2, "b", 2, 100), r(3, "b", 3, 4), r(4, "a", 5, 6)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aCounterIncrementThatReturnedAValueTwiceIsFlagged() {
    assertThat(counter(inc(1, 1L, 0, 1), inc(2, 1L, 2, 3))).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void onlyTheFailingKeyIsReported() {
    List<Operation> ops = new ArrayList<>(List.of(w(1, "a", 0, 1), r(2, "a", 2, 3)));
    ops.add(Operation.write(nextId++, 1, "bad", "x", 0, 1, OK));
    ops.add(Operation.read(nextId++, 2, "bad", null, 2, 3, OK));
    Result result = LinearizabilityChecker.check(ops, key -> Model.REGISTER, BUDGET);
    assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(result.failures()).extracting(LinearizabilityChecker.KeyResult::key).containsExactly("bad");
    assertThat(result.summary()).contains("bad").contains("GET -> nil");
  }

  // ---- scale and time budget ----

  @Test
  void aLongRandomHistoryOfTenClientsIsCheckedQuicklyAndOneStaleReadInItIsFound() {
    List<Operation> history = simulate(new Random(42), 10, 4000, -1);
    Result good = LinearizabilityChecker.check(history, key -> Model.REGISTER, BUDGET);
    assertThat(good.verdict()).as(good.summary()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(good.elapsedMillis()).isLessThan(10_000);

    List<Operation> bad = simulate(new Random(42), 10, 4000, 3000);
    assertThat(LinearizabilityChecker.check(bad, key -> Model.REGISTER, BUDGET).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aSearchThatRunsOutOfTimeIsNotAPass() {
    List<Operation> history = simulate(new Random(7), 10, 4000, 3900);
    Result result = LinearizabilityChecker.check(history, key -> Model.REGISTER, Duration.ofNanos(1));
    assertThat(result.verdict()).isEqualTo(Verdict.TIMED_OUT);
    assertThat(result.ok()).isFalse();
  }

  /**
   * A history of an atomic register with random latencies and some unknown outcomes, on one key.
   * If {@code staleAt >= 0}, the first read from that operation on returns the value of an
   * acknowledged write that a later acknowledged write (invoked after it returned) overwrote, after
   * both returned: a stale read.
   */
  static List<Operation> simulate(Random random, int clients, int count, int staleAt) {
    long[] free = new long[clients];
    List<Operation> ops = new ArrayList<>();
    List<String> applied = new ArrayList<>();
    applied.add(null);
    long now = 0;
    boolean staled = false;
    for (int i = 0; i < count; i++) {
      int client = random.nextInt(clients);
      long invoke = Math.max(now, free[client]) + random.nextInt(5);
      long ret = invoke + 2 + random.nextInt(40);
      // Effects happen in invoke order (a valid linearization): invoke times never decrease.
      if (random.nextInt(3) == 0) {
        String value = "v" + i;
        applied.add(value);
        boolean unknown = random.nextInt(20) == 0;
        ops.add(Operation.write(i, client, "k", value, invoke, ret, unknown ? UNKNOWN : OK));
      } else {
        String value = applied.get(applied.size() - 1);
        String older = staleAt >= 0 && i >= staleAt && !staled ? overwrittenValue(ops) : null;
        if (older != null) {
          value = older;
          staled = true;
          invoke = Math.max(invoke, 1 + ops.stream().mapToLong(o -> o.outcome() == OK ? o.returnNanos() : 0)
              .max().orElse(0));
          ret = invoke + 1;
        }
        ops.add(Operation.read(i, client, "k", value, invoke, ret, OK));
      }
      now = invoke;
      free[client] = ret + 1;
    }
    return ops;
  }

  /** The value of an acknowledged write that returned before a later acknowledged write began. */
  private static String overwrittenValue(List<Operation> ops) {
    Operation newest = null;
    for (Operation op : ops) {
      if (op.kind() == Operation.Kind.WRITE && op.outcome() == OK) {
        newest = op;
      }
    }
    if (newest == null) {
      return null;
    }
    for (int i = ops.size() - 1; i >= 0; i--) {
      Operation op = ops.get(i);
      if (op.kind() == Operation.Kind.WRITE && op.outcome() == OK && op.returnNanos() < newest.invokeNanos()) {
        return op.value();
      }
    }
    return null;
  }
}
