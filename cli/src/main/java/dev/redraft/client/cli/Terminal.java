package dev.redraft.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process's standard streams are a terminal: progress lines ({@code \r}) are only for
 * people watching, and the interactive prompt only for people typing.
 */
final class Terminal {
  private Terminal() {}

  static boolean stderrIsTerminal() {
    return isTerminal(2);
  }

  static boolean stdinIsTerminal() {
    return isTerminal(0);
  }

  static boolean stdoutIsTerminal() {
    return isTerminal(1);
  }

  private static boolean isTerminal(int fd) {
    try {
      // Linux: what the file descriptor points at (a pseudo-terminal or a console, versus a pipe or a file).
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Elsewhere: Java knows whether stdin and stdout are a terminal; take that as the best guess.
      return System.console() != null;
    }
  }
}
