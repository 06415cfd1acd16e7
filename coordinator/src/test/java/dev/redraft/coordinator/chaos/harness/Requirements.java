package dev.redraft.coordinator.chaos.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Skips (with the reason) where a multi-process fault test cannot run. */
public final class Requirements {
  private Requirements() {}

  public static void assumeMultiProcessCluster() {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"),
        "fault tests need Linux (kill -STOP/-CONT, 127.0.0.0/8 on loopback)");
    assumeTrue(onPath("redis-server"), "redis-server is not installed (apt-get install -y redis-server)");
    assumeTrue(onPath("kill"), "the kill command is not available");
    assumeTrue(Files.isRegularFile(ChaosCluster.JAR), ChaosCluster.JAR + " is missing: run with mvn verify");
  }

  public static void assumeFaketime() {
    assumeTrue(Files.isRegularFile(Path.of(NodeProcess.FAKETIME_LIB)),
        "libfaketime is not installed (apt-get install -y faketime): clock-skew faults skipped");
  }

  public static boolean faketimeAvailable() {
    return Files.isRegularFile(Path.of(NodeProcess.FAKETIME_LIB));
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
