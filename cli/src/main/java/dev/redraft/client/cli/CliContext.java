package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import java.io.InputStream;
import java.io.OutputStream;
import dev.redraft.client.TlsSettings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the command-line tool takes from its surroundings: environment, working directory, standard
 * input (and whether it is a terminal), output streams and how to open a client. Tests pass their
 * own to run the tool in-process.
 */
public record CliContext(Map<String, String> env, Path workingDir, ClientFactory clientFactory,
                         PrintWriter out, PrintWriter err, InputStream in, boolean interactive,
                         OutputStream stdout) {

  /**
   * No standard input (an empty one), not a terminal; {@code stdout}, where -o raw writes the bytes
   * of values (after flushing {@code out}), discards them.
   */
  public CliContext(Map<String, String> env, Path workingDir, ClientFactory clientFactory,
                    PrintWriter out, PrintWriter err) {
    this(env, workingDir, clientFactory, out, err, InputStream.nullInputStream(), false,
        OutputStream.nullOutputStream());
  }

  /** The same with this standard input (not a terminal). */
  public CliContext withInput(InputStream input) {
    return new CliContext(env, workingDir, clientFactory, out, err, input, false, stdout);
  }

  /** The same with this byte stream under {@code out}, for -o raw. */
  public CliContext withStdout(OutputStream bytes) {
    return new CliContext(env, workingDir, clientFactory, out, err, in, interactive, bytes);
  }

  /** Opens a client to the resolved endpoints with these credentials. */
  @FunctionalInterface
  public interface ClientFactory {
    RedraftClient open(List<String> endpoints, Duration requestTimeout, Credentials credentials);
  }

  /**
   * How long a command keeps trying while no node answers at all (connections refused): a stopped
   * cluster is reported in about this time, not after the whole request timeout.
   */
  public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);

  /** The real process: System.getenv, the current directory, stdin/stdout/stderr, gRPC (TLS when configured). */
  public static CliContext system() {
    return new CliContext(System.getenv(), Path.of("").toAbsolutePath(),
        (endpoints, timeout, credentials) -> credentials.applyTo(RedraftClient.builder().endpoints(endpoints)
            .requestTimeout(timeout).connectTimeout(CONNECT_TIMEOUT)).build(),
        new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
        new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
        System.in, Terminal.stdinIsTerminal() && Terminal.stdoutIsTerminal(), System.out);
  }
}
