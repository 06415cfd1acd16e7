package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.cli.output.AdminPrinter;
import dev.redraft.client.cli.output.JsonAdminPrinter;
import dev.redraft.client.cli.output.JsonMemberStatusPrinter;
import dev.redraft.client.cli.output.JsonReplyPrinter;
import dev.redraft.client.cli.output.MemberStatusPrinter;
import dev.redraft.client.cli.output.RawReplyPrinter;
import dev.redraft.client.cli.output.ReplyPrinter;
import dev.redraft.client.cli.output.TableAdminPrinter;
import dev.redraft.client.cli.output.TableMemberPrinter;
import dev.redraft.client.cli.output.TextReplyPrinter;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code redraft} command: holds the options every subcommand shares. */
@Command(name = "redraft", mixinStandardHelpOptions = true,
    versionProvider = RedraftCommand.Version.class,
    description = {"Talk to a Redraft cluster: strongly consistent Redis through Raft.",
        "With no command: an interactive prompt on a terminal (help, quit), else the commands on standard "
            + "input, one per line, as redis-cli runs them."},
    footer = {"", "Exit codes: 0 ok, 1 Redis error, request refused or a check that found a problem "
        + "(cluster status, member list, verify), 2 wrong arguments (whoever detects them: this tool or "
        + "the server), 3 cluster unavailable or outcome unknown."})
final class RedraftCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec
  CommandSpec spec;

  @Option(names = "--endpoints", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Nodes to talk to. Default: $REDRAFT_ENDPOINTS, else the file "
          + "$REDRAFT_HOME/endpoints (REDRAFT_HOME defaults to ./.redraft).")
  String endpoints;

  @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "TLS: trust this CA certificate (PEM) for the nodes. Default: $REDRAFT_CACERT, else "
          + "$REDRAFT_HOME/tls/ca.pem if it exists (a cluster.sh --tls cluster), else plaintext.")
  String cacert;

  @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "TLS: the client certificate (PEM) to present. Default: $REDRAFT_CERT, else "
          + "$REDRAFT_HOME/tls/admin.pem with the CA found there.")
  String cert;

  @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "TLS: the private key (PEM, PKCS#8) of --cert. Default: $REDRAFT_KEY, else "
          + "$REDRAFT_HOME/tls/admin-key.pem with the CA found there.")
  String key;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
      description = "A bearer token to present instead of a client certificate (needs TLS). Default: "
          + "$REDRAFT_TOKEN; prefer the variable or --token-file, a flag shows in the process list.")
  String token;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Read the bearer token from this file's first line. Default: $REDRAFT_TOKEN_FILE.")
  String tokenFile;

  /** How long a read, write or status call may take unless --timeout says otherwise. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** The same for admin changes: adding a node waits until it has caught up. */
  static final Duration DEFAULT_ADMIN_TIMEOUT = Duration.ofMinutes(2);

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest a command may take, retries included, e.g. 500ms, 10s (default: 10s; 2m for "
          + "member add/remove/promote, leader transfer and snapshot).")
  Duration timeout;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "text|table|json|raw",
      description = "Output format: text/table (human, the default), json, or raw (a value's exact bytes, "
          + "e.g. redraft -o raw get photo > photo.jpg).")
  OutputFormat output;

  @Option(names = StdinArgument.OPTION, description = "Read the last argument of the Redis command from standard "
      + "input, byte for byte, as redis-cli -x does: redraft -x set KEY < FILE.")
  boolean stdinArgument;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace as well as the one-line message.")
  boolean debug;

  RedraftCommand(CliContext context) {
    this.context = context;
  }

  /** The root command of whatever subcommand is running. */
  static RedraftCommand of(CommandSpec spec) {
    return (RedraftCommand) spec.root().userObject();
  }

  /**
   * No command: on a terminal, an interactive prompt; otherwise the commands on standard input, one
   * per line, as {@code redis-cli < FILE} runs them.
   */
  @Override
  public Integer call() throws java.io.IOException {
    if (stdinArgument) {
      throw new ParameterException(spec.commandLine(), "-x needs a Redis command: try 'redraft -x set KEY < FILE'");
    }
    try (ShellSession session = new ShellSession(this)) {
      return context.interactive() ? InteractivePrompt.run(this, session) : session.runAll(context.in());
    }
  }

  /** The endpoints this command talks to (see {@link EndpointResolver}). */
  java.util.List<String> endpoints() {
    return EndpointResolver.resolve(endpoints, context.env(), context.workingDir());
  }

  RedraftClient openClient() {
    return openClient(DEFAULT_TIMEOUT);
  }

  /** A client for admin changes, which may take longer (see {@link #DEFAULT_ADMIN_TIMEOUT}). */
  RedraftClient openAdminClient() {
    return openClient(DEFAULT_ADMIN_TIMEOUT);
  }

  private RedraftClient openClient(Duration defaultTimeout) {
    return context.clientFactory().open(endpoints(), timeout != null ? timeout : defaultTimeout,
        CredentialsResolver.resolve(cacert, cert, key, token, tokenFile, context.env(), context.workingDir()));
  }

  java.io.InputStream stdin() {
    return context.in();
  }

  CliContext context() {
    return context;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  ReplyPrinter replyPrinter() {
    return switch (output == null ? OutputFormat.TEXT : output) {
      case JSON -> new JsonReplyPrinter();
      case RAW -> new RawReplyPrinter(context.stdout());
      case TEXT, TABLE -> new TextReplyPrinter();
    };
  }

  MemberStatusPrinter memberStatusPrinter() {
    return output == OutputFormat.JSON ? new JsonMemberStatusPrinter() : TableMemberPrinter.status();
  }

  MemberStatusPrinter memberListPrinter() {
    return output == OutputFormat.JSON ? new JsonMemberStatusPrinter() : TableMemberPrinter.membership();
  }

  AdminPrinter adminPrinter() {
    return output == OutputFormat.JSON ? new JsonAdminPrinter() : new TableAdminPrinter();
  }

  /** The version from the jar manifest, when built by Maven. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RedraftCommand.class.getPackage().getImplementationVersion();
      return new String[] {"redraft " + (version == null ? "(development build)" : version)};
    }
  }
}
