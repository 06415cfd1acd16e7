package dev.redraft.coordinator.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where a run keeps its files: {@code coordinator/target/chaos/NAME-TIMESTAMP} (or {@code -Dchaos.dir}). */
public final class RunDirs {
  private RunDirs() {}

  public static Path create(String name) {
    Path base = Path.of(System.getProperty("chaos.dir", Path.of(System.getProperty("user.dir"), "target", "chaos").toString()));
    Path dir = base.resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** After a passing run: drops the bulky files (Raft data, Redis dirs, history), keeps logs and summary. */
  public static void prune(Path dir) {
    try (Stream<Path> nodes = Files.list(dir)) {
      for (Path node : nodes.filter(Files::isDirectory).toList()) {
        try (Stream<Path> data = Files.list(node)) {
          // data, and the data.wiped-N directories that membership faults moved aside
          for (Path raftData : data.filter(p -> p.getFileName().toString().startsWith("data")).toList()) {
            delete(raftData);
          }
        }
      }
      Files.deleteIfExists(dir.resolve("history.jsonl"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
