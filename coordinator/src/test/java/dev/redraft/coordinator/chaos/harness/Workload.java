package dev.redraft.coordinator.chaos.harness;

import dev.redraft.client.ClusterUnavailableException;
import dev.redraft.client.InvalidRequestException;
import dev.redraft.client.OutcomeUnknownException;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.RedraftRpcException;
import dev.redraft.coordinator.chaos.history.History;
import dev.redraft.coordinator.chaos.history.Model;
import dev.redraft.coordinator.chaos.history.Operation;
import dev.redraft.coordinator.chaos.history.Operation.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients reading and writing many keys while faults happen, every operation recorded in a
 * {@link History}. Register keys ({@code reg:G:K}) get SET with values unique per key and GET;
 * counter keys ({@code cnt:G:K}) get INCR and GET. Keys come in generations: after
 * {@code opsPerGeneration} operations the clients move to fresh keys, which keeps each key's history
 * short and its overlapping clients at most the number of clients (about 10), as the checker needs.
 * Bounded in operations and in time.
 */
public final class Workload implements AutoCloseable {
  /** How many clients, keys and operations. */
  public record Settings(int clients, int registerKeys, int counterKeys, int opsPerGeneration, long maxOps,
                         Duration maxDuration, Duration requestTimeout) {
    public static Settings defaults() {
      return new Settings(10, 4, 2, 600, 200_000, Duration.ofMinutes(10), Duration.ofSeconds(8));
    }

    public Settings withMaxDuration(Duration value) {
      return new Settings(clients, registerKeys, counterKeys, opsPerGeneration, maxOps, value, requestTimeout);
    }

    public Settings withMaxOps(long value) {
      return new Settings(clients, registerKeys, counterKeys, opsPerGeneration, value, maxDuration, requestTimeout);
    }

    public Settings withClients(int value) {
      return new Settings(value, registerKeys, counterKeys, opsPerGeneration, maxOps, maxDuration, requestTimeout);
    }
  }

  private final Settings settings;
  private final History history;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong lastWriteAckNanos = new AtomicLong();
  private final AtomicLong writesOk = new AtomicLong();
  private final AtomicLong writesUnknown = new AtomicLong();
  private final AtomicLong writesFailed = new AtomicLong();
  private final AtomicLong readsOk = new AtomicLong();
  private final AtomicLong readsFailed = new AtomicLong();
  private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = new ArrayList<>();
  private final List<RedraftClient> clients = new ArrayList<>();
  private final long deadlineNanos;

  /** {@code clients} makes a client builder for a list of endpoints (with the cluster's TLS settings). */
  public Workload(List<String> endpoints, Function<List<String>, RedraftClient.Builder> clients, History history,
      Settings settings, long seed) {
    this.settings = settings;
    this.history = history;
    this.deadlineNanos = System.nanoTime() + settings.maxDuration().toNanos();
    for (int c = 0; c < settings.clients(); c++) {
      List<String> order = new ArrayList<>(endpoints);
      Collections.shuffle(order, new Random(seed + c));
      RedraftClient client = clients.apply(order).requestTimeout(settings.requestTimeout()).build();
      this.clients.add(client);
      int id = c;
      Random random = new Random(seed * 31 + c);
      Thread thread = new Thread(() -> run(id, client, random), "workload-client-" + c);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  /** The model of a key this workload writes. */
  public static Model modelOf(String key) {
    return key.startsWith("cnt:") ? Model.COUNTER : Model.REGISTER;
  }

  private void run(int client, RedraftClient redraft, Random random) {
    long n = 0;
    while (running.get() && System.nanoTime() < deadlineNanos) {
      long count = started.incrementAndGet();
      if (count > settings.maxOps()) {
        return;
      }
      long generation = count / settings.opsPerGeneration();
      int keys = settings.registerKeys() + settings.counterKeys();
      int k = random.nextInt(keys);
      boolean counter = k >= settings.registerKeys();
      String key = (counter ? "cnt:" : "reg:") + generation + ":" + k;
      boolean write = random.nextBoolean();
      if (counter) {
        if (write) {
          incr(client, redraft, key);
        } else {
          read(client, redraft, key);
        }
      } else if (write) {
        set(client, redraft, key, "c" + client + "-" + (n++));
      } else {
        read(client, redraft, key);
      }
    }
  }

  private void set(int client, RedraftClient redraft, String key, String value) {
    long id = history.nextId();
    long invoke = System.nanoTime();
    Outcome outcome = writeOutcome(() -> redraft.set(key, value));
    long ret = System.nanoTime();
    history.add(Operation.write(id, client, key, value, invoke, ret, outcome));
    countWrite(outcome, ret);
  }

  private void incr(int client, RedraftClient redraft, String key) {
    long id = history.nextId();
    long invoke = System.nanoTime();
    long[] result = new long[1];
    Outcome outcome = writeOutcome(() -> result[0] = redraft.incr(key));
    long ret = System.nanoTime();
    history.add(Operation.incr(id, client, key, outcome == Outcome.OK ? result[0] : null, invoke, ret, outcome));
    countWrite(outcome, ret);
  }

  private void read(int client, RedraftClient redraft, String key) {
    long id = history.nextId();
    long invoke = System.nanoTime();
    String value = null;
    Outcome outcome;
    try {
      value = redraft.get(key);
      outcome = Outcome.OK;
      readsOk.incrementAndGet();
    } catch (RuntimeException e) {
      // A failed read changed nothing: the checker drops it.
      outcome = Outcome.FAIL;
      readsFailed.incrementAndGet();
      noteIfUnexpected(e);
    }
    history.add(Operation.read(id, client, key, value, invoke, System.nanoTime(), outcome));
  }

  /**
   * A write's outcome as the client library reports it: acknowledged; definitely not applied (the
   * library says no attempt could have reached the log); or unknown (anything else).
   */
  private Outcome writeOutcome(Runnable call) {
    try {
      call.run();
      return Outcome.OK;
    } catch (OutcomeUnknownException e) {
      return Outcome.UNKNOWN;
    } catch (InvalidRequestException e) {
      noteIfUnexpected(e);
      return Outcome.FAIL;
    } catch (ClusterUnavailableException | RedraftRpcException e) {
      // The client library saw no attempt that could have reached the log: definitely not applied.
      return Outcome.FAIL;
    } catch (RuntimeException e) {
      noteIfUnexpected(e);
      return Outcome.UNKNOWN;
    }
  }

  private void noteIfUnexpected(RuntimeException e) {
    if (e instanceof InvalidRequestException || e instanceof dev.redraft.client.RedisErrorException) {
      unexpected.add(e.toString());
    }
  }

  private void countWrite(Outcome outcome, long returnNanos) {
    switch (outcome) {
      case OK -> {
        writesOk.incrementAndGet();
        lastWriteAckNanos.accumulateAndGet(returnNanos, Math::max);
      }
      case UNKNOWN -> writesUnknown.incrementAndGet();
      case FAIL -> writesFailed.incrementAndGet();
    }
  }

  /**
   * Waits until a write invoked after {@code sinceNanos} is acknowledged; returns how long after
   * {@code sinceNanos} it was acknowledged.
   */
  public Duration awaitWriteAcknowledgedAfter(long sinceNanos, Duration timeout) {
    long ack = Poll.until("a write invoked and acknowledged after " + (System.nanoTime() - sinceNanos) / 1_000_000
        + " ms ago", timeout, () -> {
          if (lastWriteAckNanos.get() <= sinceNanos) {
            return java.util.Optional.empty();
          }
          return history.operations().stream()
              .filter(op -> op.kind() != Operation.Kind.READ && op.outcome() == Outcome.OK && op.invokeNanos() > sinceNanos)
              .map(Operation::returnNanos).min(Long::compare);
        });
    return Duration.ofNanos(ack - sinceNanos);
  }

  /** When each acknowledged write of the workload returned (System.nanoTime()). */
  public long[] writeAckNanos() {
    return history.operations().stream()
        .filter(op -> op.kind() != Operation.Kind.READ && op.outcome() == Outcome.OK)
        .mapToLong(Operation::returnNanos).toArray();
  }

  public long writesOk() {
    return writesOk.get();
  }

  public String stats() {
    return "writes ok " + writesOk + ", unknown " + writesUnknown + ", failed " + writesFailed + "; reads ok "
        + readsOk + ", failed " + readsFailed;
  }

  /** Client errors that should never happen (bad request, Redis error reply), for the verdict. */
  public List<String> unexpectedErrors() {
    synchronized (unexpected) {
      return List.copyOf(unexpected);
    }
  }

  /** Stops the clients and waits for their last operations (bounded by the request timeout). */
  @Override
  public void close() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(settings.requestTimeout().toMillis() + 30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clients.forEach(RedraftClient::close);
  }
}
