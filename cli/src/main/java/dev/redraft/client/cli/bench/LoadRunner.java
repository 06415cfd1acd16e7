package dev.redraft.client.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The closed-loop load generator: N client threads, each with its own session, each issuing its
 * next operation as soon as the previous one answered. Latency is measured per operation, from
 * before the call to after its reply, in microseconds. The same code drives every target.
 */
public final class LoadRunner {
  /** Receives a progress snapshot about once a second. */
  @FunctionalInterface
  public interface ProgressListener {
    void progress(String phase, double elapsedSeconds, double plannedSeconds, long operations, double opsPerSecond,
        double p99Ms, long errors);
  }

  private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LoadSettings settings;
  private final byte[] value;
  private final byte[][] keys;
  private final byte[][] counters;

  public LoadRunner(LoadSettings settings) {
    this.settings = settings;
    this.value = randomValue(settings.valueSize());
    this.keys = new byte[settings.keySpace()][];
    this.counters = new byte[settings.keySpace()][];
    for (int i = 0; i < settings.keySpace(); i++) {
      keys[i] = ("bench:s:" + i).getBytes(StandardCharsets.US_ASCII);
      counters[i] = ("bench:c:" + i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** The value every SET writes: printable, fixed per run. */
  static byte[] randomValue(int size) {
    SplittableRandom random = new SplittableRandom(42);
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + random.nextInt(26));
    }
    return bytes;
  }

  /** Fills the key space so GETs find values (only needed when the mix reads). */
  public void preload(Target target) {
    target.preload(List.of(keys), value);
  }

  public PointResult run(Target target, int clients, int runNumber, ProgressListener progress, CpuMeter cpu)
      throws InterruptedException {
    Map<Operation, Recorder> recorders = new EnumMap<>(Operation.class);
    for (Operation op : settings.mix().operations()) {
      recorders.put(op, new Recorder(1, 3_600_000_000L, 3));
    }
    LongAdder errors = new LongAdder();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicLong tickets = new AtomicLong(Long.MAX_VALUE);
    State state = new State();
    CountDownLatch started = new CountDownLatch(clients);
    CountDownLatch finished = new CountDownLatch(clients);
    List<Thread> threads = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      long seed = 1_000_003L * (i + 1) + runNumber;
      Thread thread = new Thread(() -> {
        try (Target.Session session = target.openSession()) {
          started.countDown();
          clientLoop(session, new SplittableRandom(seed), recorders, errors, firstError, tickets, state);
        } catch (RuntimeException e) {
          errors.increment();
          firstError.compareAndSet(null, describe(e));
        } finally {
          finished.countDown();
        }
      }, "bench-client-" + i);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    started.await();

    // Warm-up: everything recorded is thrown away at its end.
    long warmupNanos = settings.warmup().toNanos();
    long start = System.nanoTime();
    while (warmupNanos > 0 && System.nanoTime() - start < warmupNanos && finished.getCount() > 0) {
      long now = System.nanoTime();
      finished.await(Math.min(PROGRESS_NANOS, warmupNanos - (now - start)), TimeUnit.NANOSECONDS);
      Histogram interval = drain(recorders, null);
      progress.progress("warm-up", (System.nanoTime() - start) / 1e9, warmupNanos / 1e9, interval.getTotalCount(),
          interval.getTotalCount() / ((System.nanoTime() - now) / 1e9), interval.getValueAtPercentile(99) / 1000.0,
          errors.sum());
    }
    drain(recorders, null);
    errors.reset();
    firstError.set(null);
    if (settings.byOperationCount()) {
      tickets.set(settings.operations());
    }
    Map<Operation, Histogram> measured = new EnumMap<>(Operation.class);
    recorders.keySet().forEach(op -> measured.put(op, LatencySummary.newHistogram()));
    CpuMeter.Sample cpuBefore = cpu.sample();
    long measureStart = System.nanoTime();
    state.measuring = true;

    long plannedNanos = settings.byOperationCount() ? Long.MAX_VALUE : settings.duration().toNanos();
    long total = 0;
    while (finished.getCount() > 0) {
      long now = System.nanoTime();
      long left = plannedNanos - (now - measureStart);
      if (left <= 0) {
        break;
      }
      finished.await(Math.min(PROGRESS_NANOS, left), TimeUnit.NANOSECONDS);
      Histogram interval = drain(recorders, measured);
      total += interval.getTotalCount();
      double planned = settings.byOperationCount() ? 0 : plannedNanos / 1e9;
      progress.progress("measure", (System.nanoTime() - measureStart) / 1e9, planned, total,
          interval.getTotalCount() / ((System.nanoTime() - now) / 1e9), interval.getValueAtPercentile(99) / 1000.0,
          errors.sum());
    }
    state.stop = true;
    long measureEnd = System.nanoTime();
    CpuMeter.Sample cpuAfter = cpu.sample();
    long errorCount = errors.sum();
    // Operations still in flight when time is up end outside the window and are not counted.
    drain(recorders, measured);
    finished.await(60, TimeUnit.SECONDS);
    for (Thread thread : threads) {
      thread.interrupt();
    }

    Histogram all = LatencySummary.newHistogram();
    Map<Operation, LatencySummary> byOperation = new EnumMap<>(Operation.class);
    measured.forEach((op, histogram) -> {
      all.add(histogram);
      byOperation.put(op, LatencySummary.of(histogram));
    });
    double seconds = (measureEnd - measureStart) / 1e9;
    return new PointResult(runNumber, target.name(), clients, settings.mix().toString(), settings.valueSize(),
        seconds, all.getTotalCount(), errorCount, LatencySummary.of(all), byOperation, firstError.get(),
        CpuMeter.usage(cpuBefore, cpuAfter, all.getTotalCount()));
  }

  private static final class State {
    volatile boolean measuring;
    volatile boolean stop;
  }

  private static Histogram drain(Map<Operation, Recorder> recorders, Map<Operation, Histogram> into) {
    Histogram interval = LatencySummary.newHistogram();
    recorders.forEach((op, recorder) -> {
      Histogram h = recorder.getIntervalHistogram();
      interval.add(h);
      if (into != null) {
        into.get(op).add(h);
      }
    });
    return interval;
  }

  private void clientLoop(Target.Session session, SplittableRandom random, Map<Operation, Recorder> recorders,
      LongAdder errors, AtomicReference<String> firstError, AtomicLong tickets, State state) {
    List<byte[]> batchKeys = new ArrayList<>(settings.batchSize());
    while (!state.stop) {
      if (state.measuring && settings.byOperationCount() && tickets.getAndDecrement() <= 0) {
        return;
      }
      Operation op = settings.mix().next(random);
      int k = random.nextInt(keys.length);
      if (op == Operation.BATCH) {
        batchKeys.clear();
        for (int i = 0; i < settings.batchSize(); i++) {
          batchKeys.add(keys[random.nextInt(keys.length)]);
        }
      } else if (op == Operation.SLOT_BATCH) {
        batchKeys.clear();
        String tag = "{bench:t:" + random.nextInt(keys.length) + "}:";
        for (int i = 0; i < settings.batchSize(); i++) {
          batchKeys.add((tag + i).getBytes(StandardCharsets.US_ASCII));
        }
      }
      long begin = System.nanoTime();
      try {
        switch (op) {
          case SET -> session.set(keys[k], value);
          case INCR -> session.incr(counters[k]);
          case GET -> session.get(keys[k]);
          case BATCH, SLOT_BATCH -> session.batch(batchKeys, value);
          default -> throw new IllegalStateException(op.name());
        }
        long micros = Math.max(1, (System.nanoTime() - begin) / 1000);
        if (!state.stop) {
          recorders.get(op).recordValue(Math.min(micros, 3_600_000_000L));
        }
      } catch (RuntimeException e) {
        if (state.stop) {
          return;
        }
        errors.increment();
        firstError.compareAndSet(null, op.label() + ": " + describe(e));
        // A failing target must not turn the loop into a busy spin.
        try {
          Thread.sleep(10);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
