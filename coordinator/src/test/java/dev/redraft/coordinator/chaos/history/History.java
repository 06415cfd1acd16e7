package dev.redraft.coordinator.chaos.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** The operations of a run, recorded by many client threads at once. */
public final class History {
  private final ConcurrentLinkedQueue<Operation> operations = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();

  public long nextId() {
    return ids.incrementAndGet();
  }

  public void add(Operation op) {
    operations.add(op);
  }

  /** Every operation so far, by invoke time. */
  public List<Operation> operations() {
    List<Operation> all = new ArrayList<>(operations);
    all.sort(Comparator.comparingLong(Operation::invokeNanos));
    return all;
  }

  /** Writes the history as JSON lines (one operation per line), for post-mortems. */
  public Path save(Path file) {
    List<String> lines = operations().stream().map(Operation::toJson).toList();
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
