package dev.redraft.client.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the processes behind a point, read from /proc (Linux): the load generator itself and
 * every process named with {@code --cpu-pid TARGET/LABEL=PID}, so a point can say how much CPU each
 * process spent per operation, and whether anything else kept the machine busy meanwhile (which
 * makes the point less trustworthy on a shared machine). Of the watched processes' CPU it also tells
 * how much their JIT compiler threads took: a JVM still compiling its hot code (C2 works for minutes
 * on a loaded 2-core machine) costs more per operation than it will once warm.
 */
public final class CpuMeter {
  /** The generator's own process, under this label in every point. */
  public static final String GENERATOR = "generator";
  /** Linux' USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
  private static final long TICKS_PER_SECOND = 100;
  private static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;

  /** A process to account for: its target, its label within the target, its PID. */
  public record Watched(String target, String label, long pid) {
    /** Parses {@code TARGET/LABEL=PID}, e.g. {@code redraft/n1=4242}. */
    public static Watched parse(String text) {
      int slash = text.indexOf('/');
      int eq = text.indexOf('=');
      if (slash <= 0 || eq <= slash + 1 || eq == text.length() - 1) {
        throw new IllegalArgumentException("--cpu-pid must be TARGET/LABEL=PID (e.g. redraft/n1=4242), got '" + text + "'");
      }
      long pid;
      try {
        pid = Long.parseLong(text.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--cpu-pid " + text + ": PID is not a number");
      }
      return new Watched(text.substring(0, slash), text.substring(slash + 1, eq), pid);
    }
  }

  /**
   * CPU nanoseconds by label at one moment, those of each JIT compiler thread of the watched processes
   * (by "label/thread id": HotSpot starts and stops compiler threads as the work comes and goes), and the
   * machine's busy and total ticks.
   */
  public record Sample(Map<String, Long> cpuNanos, Map<String, Long> jitNanos, long machineBusyTicks,
      long machineTotalTicks) {}

  /**
   * What a point cost: CPU microseconds per operation by label (the generator, each watched process,
   * and "total"), how many of the watched processes' microseconds per operation their JIT compiler
   * threads took (already in their figures), and the share of the machine's CPU used by processes not
   * watched.
   */
  public record Usage(Map<String, Double> microsPerOp, double jitMicrosPerOp, double othersShareOfMachine) {
    public static final Usage NONE = new Usage(Map.of(), 0, 0);

    public boolean isEmpty() {
      return microsPerOp.isEmpty();
    }
  }

  private final List<Watched> watched;

  public CpuMeter(List<Watched> watched) {
    this.watched = List.copyOf(watched);
  }

  /** A meter for one target's point: its own processes and the generator. */
  public CpuMeter forTarget(String target) {
    return new CpuMeter(watched.stream().filter(w -> w.target().equals(target)).toList());
  }

  public Sample sample() {
    Map<String, Long> cpu = new LinkedHashMap<>();
    Map<String, Long> jit = new LinkedHashMap<>();
    cpu.put(GENERATOR, processNanos("self"));
    for (Watched w : watched) {
      cpu.put(w.label(), processNanos(Long.toString(w.pid())));
      compilerNanos(w.pid()).forEach((thread, nanos) -> jit.put(w.label() + "/" + thread, nanos));
    }
    long[] machine = machineTicks();
    return new Sample(cpu, jit, machine[0], machine[1]);
  }

  /** The CPU spent between two samples, per operation. */
  public static Usage usage(Sample before, Sample after, long operations) {
    if (operations <= 0) {
      return Usage.NONE;
    }
    Map<String, Double> perOp = new LinkedHashMap<>();
    long watchedNanos = 0;
    for (Map.Entry<String, Long> e : after.cpuNanos().entrySet()) {
      Long start = before.cpuNanos().get(e.getKey());
      if (start == null || start < 0 || e.getValue() < 0) {
        continue; // the process was gone at one end: say nothing rather than something wrong
      }
      long nanos = e.getValue() - start;
      watchedNanos += nanos;
      perOp.put(e.getKey(), nanos / 1000.0 / operations);
    }
    perOp.put("total", watchedNanos / 1000.0 / operations);
    // A compiler thread started meanwhile counts whole; one that ended meanwhile took its last part along.
    long jitNanos = 0;
    for (Map.Entry<String, Long> e : after.jitNanos().entrySet()) {
      jitNanos += Math.max(0, e.getValue() - before.jitNanos().getOrDefault(e.getKey(), 0L));
    }
    long machineTicks = after.machineTotalTicks() - before.machineTotalTicks();
    long busyTicks = after.machineBusyTicks() - before.machineBusyTicks();
    double others = machineTicks <= 0 ? 0
        : Math.max(0, busyTicks * NANOS_PER_TICK - watchedNanos) / (double) (machineTicks * NANOS_PER_TICK);
    return new Usage(perOp, jitNanos / 1000.0 / operations, others);
  }

  /** utime + stime of a process in nanoseconds, or -1 if it cannot be read (gone, or not Linux). */
  private static long processNanos(String pid) {
    return statNanos(Path.of("/proc", pid, "stat"));
  }

  /**
   * utime + stime of each of a process' JIT compiler threads (HotSpot names them "C1 CompilerThreadN" and
   * "C2 CompilerThreadN"; /proc keeps 15 characters) in nanoseconds, by thread id: none for a process
   * that is no JVM or is gone.
   */
  static Map<Long, Long> compilerNanos(long pid) {
    Map<Long, Long> byThread = new LinkedHashMap<>();
    try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        String name;
        try {
          name = Files.readString(thread.resolve("comm"));
        } catch (IOException gone) {
          continue; // the thread ended since the listing
        }
        if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
          continue;
        }
        long nanos = statNanos(thread.resolve("stat"));
        if (nanos >= 0) {
          byThread.put(Long.parseLong(thread.getFileName().toString()), nanos);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or not Linux: no compiler threads to report
    }
    return byThread;
  }

  /** utime + stime from a /proc stat file (a process' or a thread's) in nanoseconds, or -1. */
  private static long statNanos(Path stat) {
    try {
      String text = Files.readString(stat);
      // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The machine's busy and total ticks over all CPUs since boot (first line of /proc/stat). */
  private static long[] machineTicks() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }
}
