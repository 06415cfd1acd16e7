package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.RetryPolicy;
import dev.redraft.client.testing.ScriptedServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Runs the redraft tool in this JVM against in-process servers, capturing output and exit code. */
final class CliRunner {
  /** What the tool wrote: stdout as text and as bytes (-o raw), stderr, and the exit code. */
  record Result(int exitCode, String out, String err, byte[] outBytes) {}

  private final Map<String, String> env = new HashMap<>();
  private final Path workingDir;

  CliRunner(Path workingDir) {
    this.workingDir = workingDir;
  }

  CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Result run(String... args) {
    return runWithInput(new byte[0], args);
  }

  /** Runs the tool with these bytes as its standard input (not a terminal). */
  Result runWithInput(byte[] stdin, String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
    StringWriter err = new StringWriter();
    CliContext context = new CliContext(Map.copyOf(env), workingDir,
        (endpoints, timeout, credentials) -> RedraftClient.builder()
            .endpoints(endpoints)
            .requestTimeout(timeout)
            .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
            .channelFactory(ScriptedServer.channels())
            .build(),
        out, new PrintWriter(err, true)).withInput(new ByteArrayInputStream(stdin)).withStdout(stdout);
    int exitCode = RedraftCli.run(context, args);
    out.flush();
    return new Result(exitCode, stdout.toString(StandardCharsets.UTF_8), err.toString(), stdout.toByteArray());
  }
}
