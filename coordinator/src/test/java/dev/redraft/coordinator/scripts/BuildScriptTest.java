package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/build.sh, which the scripts run when the jars are missing, against a stand-in for Debian's
 * Maven (same output format, ESC[0m codes included): one progress line per module, no escape code,
 * and on failure Maven's [ERROR] lines and a non-zero exit.
 */
class BuildScriptTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String MODULES = "printf '\\033[0m\\033[0m[INFO] Scanning for projects...\\n'\n"
      + "printf '[INFO] Building Redraft 0.1.0-SNAPSHOT                                    [1/2]\\n'\n"
      + "printf '[INFO] --- compiler:3.14.0:compile (default-compile) @ redraft-cli ---\\n'\n"
      + "printf '[INFO] Building Redraft CLI 0.1.0-SNAPSHOT                                [2/2]\\n'\n";

  @TempDir
  Path dir;

  @Test
  void theFirstBuildPrintsOneLinePerModuleAndNoEscapeCodes() throws Exception {
    Result result = build(MODULES + "printf '[INFO] BUILD SUCCESS\\n\\033[0m\\033[0m'\n");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).doesNotContain("\u001b").doesNotContain("[INFO]")
        .contains("Building Redraft, once").contains("  module 1/2: Redraft\n").contains("  module 2/2: Redraft CLI\n")
        .contains("Built in ");
  }

  @Test
  void aFailedBuildShowsMavensErrorsAndExitsNonZero() throws Exception {
    Result result = build(MODULES + "printf '\\033[1;31m[ERROR] COMPILATION ERROR: Foo.java:[3,1] oops\\033[0m\\n'\nexit 1\n");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output()).doesNotContain("\u001b").contains("[ERROR] COMPILATION ERROR: Foo.java:[3,1] oops")
        .contains("the build failed (full log: ");
  }

  private Result build(String fakeMaven) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(mvn, "#!/bin/bash\n" + fakeMaven);
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder builder = new ProcessBuilder(REPO.resolve("scripts/build.sh").toString())
        .directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("TMPDIR", dir.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
