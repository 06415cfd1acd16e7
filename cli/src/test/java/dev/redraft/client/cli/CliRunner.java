package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.RetryPolicy;
import dev.redraft.client.testing.ScriptedServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Runs the redraft tool in this JVM against in-process servers, capturing output and exit code. */
final class CliRunner {
  record Result(int exitCode, String out, String err) {}

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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context = new CliContext(Map.copyOf(env), workingDir,
        (endpoints, timeout, tls) -> RedraftClient.builder()
            .endpoints(endpoints)
            .requestTimeout(timeout)
            .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
            .channelFactory(ScriptedServer.channels())
            .build(),
        new PrintWriter(out, true), new PrintWriter(err, true));
    int exitCode = RedraftCli.run(context, args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
