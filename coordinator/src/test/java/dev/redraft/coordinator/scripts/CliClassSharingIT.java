package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tool's class data sharing: the build writes an archive of the classes a command loads
 * (scripts/cli-class-sharing.sh) that a JVM maps, and scripts/redraft runs the tool with it, silently, unless
 * REDRAFT_JAVA_OPTS replaces the JVM settings. What scripts/redraft passes to the JVM is read through a
 * {@code java} on the PATH that writes down its arguments and runs the real one.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CliClassSharingIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path JAR = REPO.resolve("cli/target/redraft-cli.jar");
  private static final Path ARCHIVE = REPO.resolve("cli/target/redraft-cli.jsa");
  /** The java on the PATH, as the build step and the scripts run it (an archive fits one Java only). */
  private static final String JAVA = "java";

  @TempDir
  Path dir;

  @Test
  void theBuildsArchiveIsOneAJvmMaps() throws Exception {
    assertThat(ARCHIVE).as("written by the CLI module's build").exists();
    Result mapped = run(Map.of(), JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:on",
        "-XX:SharedArchiveFile=" + ARCHIVE, "-jar", JAR.toString(), "--version");
    assertThat(mapped.exitCode()).as("a JVM that must map the archive: %s", mapped.output()).isZero();
  }

  @Test
  void scriptsRedraftRunsTheToolWithTheArchiveWithoutAWordAboutIt() throws Exception {
    Result version = runThroughRecordingJava(Map.of());
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output()).startsWith("redraft ").doesNotContain("cds").doesNotContain("warning");
    assertThat(recordedArguments()).contains("-XX:SharedArchiveFile=" + ARCHIVE);

    Result replaced = runThroughRecordingJava(Map.of("REDRAFT_JAVA_OPTS", "-Xmx64m"));
    assertThat(replaced.exitCode()).as(replaced.output()).isZero();
    assertThat(recordedArguments()).contains("-Xmx64m").noneMatch(arg -> arg.contains("SharedArchiveFile"));
  }

  @Test
  void theBuildStepWritesAnArchiveForTheJarItIsGivenAndNeverFailsTheBuild() throws Exception {
    Path jar = dir.resolve("redraft-cli.jar");
    Files.copy(JAR, jar, StandardCopyOption.COPY_ATTRIBUTES);
    Result written = run(Map.of(), "bash", REPO.resolve("scripts/cli-class-sharing.sh").toString(), jar.toString());
    assertThat(written.exitCode()).as(written.output()).isZero();
    assertThat(written.output()).contains("wrote " + dir.resolve("redraft-cli.jsa"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .as("the archive in place, nothing partial left").containsExactlyInAnyOrder("redraft-cli.jar", "redraft-cli.jsa");
    }

    // No jar to run: no archive (none half-written left behind either), a clear line, and the build goes on.
    Path missing = dir.resolve("missing/redraft-cli.jar");
    Files.createDirectories(missing.getParent());
    Result none = run(Map.of(), "bash", REPO.resolve("scripts/cli-class-sharing.sh").toString(), missing.toString());
    assertThat(none.exitCode()).as(none.output()).isZero();
    assertThat(none.output()).contains("no class data sharing archive for " + missing);
    try (var files = Files.list(missing.getParent())) {
      assertThat(files).isEmpty();
    }
  }

  private Result runThroughRecordingJava(Map<String, String> env) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    String realJava = new String(new ProcessBuilder("bash", "-c", "command -v java").start().getInputStream()
        .readAllBytes(), StandardCharsets.UTF_8).trim();
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + dir.resolve("arguments") + "'\nexec '" + realJava
        + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> withPath = new java.util.HashMap<>(env);
    withPath.put("PATH", bin + ":" + System.getenv("PATH"));
    return run(withPath, REPO.resolve("scripts/redraft").toString(), "--version");
  }

  private List<String> recordedArguments() throws IOException {
    return Files.readAllLines(dir.resolve("arguments"));
  }

  private Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().remove("REDRAFT_JAVA_OPTS");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
