package dev.redraft.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process's stderr is a terminal: progress lines ({@code \r}) are only for people watching. */
final class Terminal {
  private Terminal() {}

  static boolean stderrIsTerminal() {
    try {
      // Linux: what file descriptor 2 points at (a pseudo-terminal or a console, versus a pipe or a file).
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Elsewhere: Java knows whether stdin and stdout are a terminal; take that as the best guess.
      return System.console() != null;
    }
  }
}
