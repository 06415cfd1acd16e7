package dev.redraft.coordinator.chaos.history;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a history for linearizability, key by key (Wing &amp; Gong's search with Lowe's memoisation,
 * as in Porcupine): it looks for an order of the operations that respects real time (an operation
 * is placed only once every operation that returned before it was invoked is placed) and the key's
 * sequential {@link Model}. Visited (placed set, state) pairs are cached so each is explored once.
 *
 * <p>Before the search: failed operations are dropped (they did not take effect); reads with an
 * unknown outcome are dropped (they changed nothing); writes with an unknown outcome get an
 * infinite return time, and are dropped altogether when no read returned their value (values are
 * unique per key, so such a write constrains nothing). A search that runs out of its time budget
 * is reported as {@link Verdict#TIMED_OUT}, which callers must treat as a failure.
 */
public final class LinearizabilityChecker {
  public enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, TIMED_OUT }

  /** The outcome for one key. */
  public record KeyResult(String key, Verdict verdict, int operations, String explanation) {}

  /** The outcome for a whole history: linearizable only if every key is. */
  public record Result(Verdict verdict, List<KeyResult> keys, long elapsedMillis) {
    public boolean ok() {
      return verdict == Verdict.LINEARIZABLE;
    }

    public List<KeyResult> failures() {
      return keys.stream().filter(k -> k.verdict() != Verdict.LINEARIZABLE).toList();
    }

    public String summary() {
      List<KeyResult> failed = failures();
      return verdict + ": " + keys.size() + " keys, " + keys.stream().mapToInt(KeyResult::operations).sum()
          + " operations checked in " + elapsedMillis + " ms" + (failed.isEmpty() ? "" : "; failing keys: "
          + failed.stream().limit(5).map(k -> k.key() + " (" + k.verdict() + ": " + k.explanation() + ")")
              .collect(Collectors.joining("; ")));
    }
  }

  private LinearizabilityChecker() {}

  /** Checks every key of {@code history}; {@code modelOf} gives each key's model. */
  public static Result check(List<Operation> history, Function<String, Model> modelOf, Duration budget) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    Map<String, List<Operation>> byKey = history.stream()
        .collect(Collectors.groupingBy(Operation::key, LinkedHashMap::new, Collectors.toList()));
    List<KeyResult> results = new ArrayList<>();
    Verdict overall = Verdict.LINEARIZABLE;
    for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
      KeyResult result = checkKey(entry.getKey(), entry.getValue(), modelOf.apply(entry.getKey()), deadline);
      results.add(result);
      if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
        overall = Verdict.NOT_LINEARIZABLE;
      } else if (result.verdict() == Verdict.TIMED_OUT && overall == Verdict.LINEARIZABLE) {
        overall = Verdict.TIMED_OUT;
      }
    }
    return new Result(overall, results, (System.nanoTime() - start) / 1_000_000);
  }

  /** The operations of one key that the search has to place. */
  static List<Operation> prepare(List<Operation> ops) {
    Set<String> valuesRead = new HashSet<>();
    for (Operation op : ops) {
      if (op.kind() == Operation.Kind.READ && op.outcome() == Operation.Outcome.OK && op.value() != null) {
        valuesRead.add(op.value());
      }
    }
    List<Operation> kept = new ArrayList<>();
    for (Operation op : ops) {
      if (op.outcome() == Operation.Outcome.FAIL) {
        continue;
      }
      if (op.outcome() == Operation.Outcome.UNKNOWN) {
        if (op.kind() == Operation.Kind.READ) {
          continue;
        }
        if (op.kind() == Operation.Kind.WRITE && !valuesRead.contains(op.value())) {
          continue;
        }
      }
      kept.add(op);
    }
    return kept;
  }

  private static final class Entry {
    final boolean call;
    final Operation op;
    final int id;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(boolean call, Operation op, int id, long time) {
      this.call = call;
      this.op = op;
      this.id = id;
      this.time = time;
    }
  }

  private record Visited(BitSet placed, Object state) {}

  private record Frame(Entry entry, Object stateBefore) {}

  static KeyResult checkKey(String key, List<Operation> all, Model model, long deadlineNanos) {
    List<Operation> ops = prepare(all);
    List<Entry> events = new ArrayList<>(ops.size() * 2);
    for (int i = 0; i < ops.size(); i++) {
      Operation op = ops.get(i);
      Entry call = new Entry(true, op, i, op.invokeNanos());
      Entry ret = new Entry(false, op, i, op.returnNanos());
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    // By time; at equal times calls first, so touching operations count as concurrent (the lenient choice).
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
    Entry head = new Entry(true, null, -1, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    Object state = model.initial();
    BitSet placed = new BitSet(ops.size());
    Set<Visited> visited = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    Entry entry = head.next;
    int mostPlaced = 0;
    Operation stuckAt = null;
    Object stateAtStuck = state;
    long steps = 0;
    while (head.next != null) {
      if ((++steps & 0x3FF) == 0 && System.nanoTime() > deadlineNanos) {
        return new KeyResult(key, Verdict.TIMED_OUT, ops.size(), "search ran out of time after " + steps
            + " steps with " + mostPlaced + " of " + ops.size() + " operations placed");
      }
      if (entry.call) {
        Object next = model.step(state, entry.op);
        if (next != null) {
          BitSet placedNext = (BitSet) placed.clone();
          placedNext.set(entry.id);
          if (visited.add(new Visited(placedNext, next))) {
            stack.push(new Frame(entry, state));
            state = next;
            placed.set(entry.id);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        // An operation returned before it could be placed: undo the last choice.
        if (stack.size() >= mostPlaced) {
          mostPlaced = stack.size();
          stuckAt = entry.op;
          stateAtStuck = state;
        }
        if (stack.isEmpty()) {
          return new KeyResult(key, Verdict.NOT_LINEARIZABLE, ops.size(), "no order of the " + ops.size()
              + " operations fits: at best " + mostPlaced + " placed, then " + describe(stuckAt)
              + " cannot follow state " + show(stateAtStuck));
        }
        Frame frame = stack.pop();
        state = frame.stateBefore();
        placed.clear(frame.entry().id);
        unlift(frame.entry());
        entry = frame.entry().next;
      }
    }
    return new KeyResult(key, Verdict.LINEARIZABLE, ops.size(), "ok");
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    call.next.prev = call;
  }

  private static String describe(Operation op) {
    if (op == null) {
      return "(none)";
    }
    String what = switch (op.kind()) {
      case WRITE -> "SET " + op.value();
      case READ -> "GET -> " + (op.value() == null ? "nil" : op.value());
      case INCR -> "INCR -> " + (op.counter() == null ? "?" : op.counter());
    };
    return "op " + op.id() + " (client " + op.client() + ", " + what + ", " + op.outcome() + ")";
  }

  private static String show(Object state) {
    return state instanceof String s && s.startsWith("\u0000") ? "nil" : Objects.toString(state);
  }
}
