package dev.redraft.coordinator.chaos.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Class data sharing for the harness' coordinator JVMs, as cluster.sh does for its nodes: until an archive
 * of this jar's classes exists, nodes write one when they stop cleanly; the first cluster closed adopts one
 * (once a JVM has mapped it); later starts map it. A restart under load is mostly class loading: this is
 * what the fault suite's kills and restarts wait for before the next fault.
 */
final class ClassDataSharing {
  private static final String NODE_ARCHIVE = "coordinator.jsa";

  private ClassDataSharing() {}

  /** One per jar build (and the flags the harness starts nodes with, which stay the same). */
  static Path archive() {
    Path jar = ChaosCluster.JAR;
    try {
      return jar.resolveSibling("chaos-coordinator-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis()
          + ".jsa");
    } catch (IOException e) {
      return jar.resolveSibling("chaos-coordinator-unknown.jsa");
    }
  }

  /** Archives of earlier builds of the jar (each ~55 MB): no JVM can map them any more. */
  private static void dropOlderArchives(Path kept) throws IOException {
    try (var files = Files.newDirectoryStream(kept.getParent(), "chaos-coordinator-*.jsa")) {
      for (Path file : files) {
        if (!file.equals(kept)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** The JVM flags of a node whose directory is {@code nodeDir}. */
  static List<String> flags(Path nodeDir) {
    Path archive = archive();
    return Files.isRegularFile(archive)
        ? List.of("-XX:SharedArchiveFile=" + archive)
        : List.of("-XX:ArchiveClassesAtExit=" + nodeDir.resolve(NODE_ARCHIVE), "-Xlog:cds=off");
  }

  /**
   * While no archive exists: stops {@code node} with SIGTERM (its JVM writes the archive as it exits) and
   * adopts what it wrote if a JVM maps it. Bounded; any failure only leaves the next clusters without one.
   */
  static void adoptFrom(NodeProcess node, String javaBinary, List<String> jvmFlags) {
    Path archive = archive();
    if (Files.isRegularFile(archive) || !node.isRunning() || node.isPaused()) {
      return;
    }
    Path written = node.dir().resolve(NODE_ARCHIVE);
    try {
      if (node.terminate(Duration.ofSeconds(20)).isEmpty() || !Files.isRegularFile(written)) {
        return;
      }
      List<String> command = new java.util.ArrayList<>(List.of(javaBinary));
      command.addAll(jvmFlags);
      command.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + written, "-XX:ErrorFile=/dev/null",
          "-XX:-CreateCoredumpOnCrash", "-jar", ChaosCluster.JAR.toString(), "--help"));
      Process check = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0) {
        Files.move(written, archive, StandardCopyOption.ATOMIC_MOVE);
        dropOlderArchives(archive);
      } else {
        check.destroyForcibly();
      }
    } catch (IOException e) {
      System.err.println("class data sharing: no archive adopted from " + node.name() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        Files.deleteIfExists(written);
      } catch (IOException ignored) {
        // a leftover in the run's directory
      }
    }
  }
}
