package dev.redraft.client.cli;

import dev.redraft.api.v1.TokenInfo;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.cli.output.Json;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code redraft token add|remove|list}: API tokens granted through the log (admin role). {@code add}
 * prints the new token alone on stdout, so a script can keep it: {@code TOKEN=$(redraft token add app
 * --role readwrite)}; only its SHA-256 leaves this process.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "API tokens (admin role): add, remove and list the tokens callers may present instead of a"
        + " client certificate.")
final class TokenCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing subcommand: try 'redraft token list' or 'redraft token --help'");
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Grants a new token with a role under a name (replacing an earlier token of that name) and"
          + " prints it: the one time it can be seen.")
  int add(@Parameters(paramLabel = "NAME", description = "1-64 letters, digits or _.@-") String name,
          @Option(names = "--role", required = true, paramLabel = "read|readwrite|admin",
              description = "what the token may do") String role) {
    checkName(name);
    if (!List.of("read", "readwrite", "admin").contains(role)) {
      throw new CliUsageException("--role must be read, readwrite or admin, got '" + role + "'");
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      String token = client.admin().addToken(name, role);
      root.out().println(token);
      root.out().flush();
      root.err().println("token '" + name + "' (role " + role + ") granted; keep it now: it cannot be shown again");
    }
    return ExitCodes.OK;
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Revokes the token of this name on every node (within a second of the change).")
  int remove(@Parameters(paramLabel = "NAME", description = "the token's name") String name) {
    checkName(name);
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      client.admin().removeToken(name);
    }
    root.err().println("token '" + name + "' revoked");
    return ExitCodes.OK;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The tokens the answering node honours: name, role and source (api: granted here; file: its"
          + " tokens-file). Never a token or its hash.")
  int list() {
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openClient()) {
      List<TokenInfo> tokens = client.admin().listTokens().getTokensList();
      if (root.output == OutputFormat.JSON) {
        root.out().println(tokens.stream().map(t -> "{\"name\":" + Json.quote(t.getName()) + ",\"role\":"
            + Json.quote(t.getRole()) + ",\"source\":" + Json.quote(t.getSource()) + "}")
            .collect(java.util.stream.Collectors.joining(",", "[", "]")));
      } else {
        root.out().printf("%-24s %-10s %s%n", "NAME", "ROLE", "SOURCE");
        tokens.forEach(t -> root.out().printf("%-24s %-10s %s%n", t.getName(), t.getRole(), t.getSource()));
      }
      root.out().flush();
    }
    return ExitCodes.OK;
  }

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new CliUsageException("a token's name is 1-64 letters, digits or _.@-, got '" + name + "'");
    }
  }
}
