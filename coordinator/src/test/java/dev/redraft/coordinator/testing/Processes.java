package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Processes the scripts started, as the tests see them. */
public final class Processes {
  private Processes() {}

  /**
   * Still running: a zombie has exited (the scripts' processes are reaped by init, which may take a
   * moment; the scripts do not wait for it), though ProcessHandle counts it as alive.
   */
  public static boolean running(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .noneMatch(line -> line.matches("State:\\s*Z.*"));
    } catch (IOException e) {
      return false; // gone meanwhile
    }
  }
}
