package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * cluster.sh's class data sharing: a node's first start writes an archive of the classes it loads when it
 * stops, which becomes the one shared beside the jar; later starts map it; a partial archive (a JVM killed
 * while writing it) is never adopted, as a start on it would crash the JVM. Run on a copy of the scripts
 * and jars, so the build's own archive is left alone.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClassDataSharingScriptIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path copy;

  @TempDir
  Path home;

  private Path archive;

  @AfterEach
  void stop() throws Exception {
    run("stop");
  }

  @Test
  void aNodeStopsIntoAnArchiveThatLaterStartsMapAndAPartialOneIsNeverAdopted() throws Exception {
    for (String file : new String[] {"scripts/cluster.sh", "scripts/class-sharing.sh", "scripts/redraft",
        "scripts/build.sh", "coordinator/target/redraft-coordinator.jar", "cli/target/redraft-cli.jar"}) {
      Files.createDirectories(copy.resolve(file).getParent());
      Files.copy(REPO.resolve(file), copy.resolve(file), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    }
    archive = copy.resolve("coordinator/target/redraft-coordinator.jsa");

    ok(run("start", "--nodes", "1"));
    assertThat(commandLine()).contains("-XX:ArchiveClassesAtExit=" + home.resolve("n1/coordinator.jsa"));
    ok(run("stop"));
    assertThat(archive).as("adopted at the stop").exists();
    assertThat(Files.readString(copy.resolve("coordinator/target/redraft-coordinator.jsa.key")))
        .startsWith(Files.size(copy.resolve("coordinator/target/redraft-coordinator.jar")) + " ");
    assertThat(home.resolve("n1/coordinator.jsa")).as("nothing left in the node's directory").doesNotExist();

    ok(run("start"));
    assertThat(commandLine()).contains("-XX:SharedArchiveFile=" + archive).doesNotContain("ArchiveClassesAtExit");
    assertThat(Files.readString(home.resolve("n1/coordinator.log"))).doesNotContain("[cds");

    // A partial archive where a node would have written one (as if killed while writing): not adopted.
    byte[] whole = Files.readAllBytes(archive);
    Files.delete(archive);
    Files.write(home.resolve("n1/coordinator.jsa"), Arrays.copyOf(whole, whole.length / 2));
    ok(run("stop"));
    assertThat(archive).as("a partial archive adopted").doesNotExist();
    assertThat(home.resolve("n1/coordinator.jsa")).doesNotExist();
    ok(run("start"));
    assertThat(commandLine()).as("no archive fits: this start writes one").contains("-XX:ArchiveClassesAtExit=");
    ok(run("stop"));
    assertThat(archive).exists();

    // REDRAFT_JAVA_OPTS replaces the JVM settings, class data sharing included.
    ok(run(java.util.Map.of("REDRAFT_JAVA_OPTS", "-Xmx256m"), "start"));
    assertThat(commandLine()).contains("-Xmx256m").doesNotContain("SharedArchiveFile")
        .doesNotContain("ArchiveClassesAtExit");
  }

  private String commandLine() throws IOException {
    String pid = Files.readString(home.resolve("n1/coordinator.pid")).trim();
    return new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
  }

  private static void ok(Result result) {
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  private Result run(String... args) throws IOException, InterruptedException {
    return run(java.util.Map.of(), args);
  }

  private Result run(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = copy.resolve("scripts/cluster.sh").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_JAVA_OPTS");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
