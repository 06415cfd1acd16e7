package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.ReadOnlyCommands;
import dev.redraft.client.cli.CliContext;
import dev.redraft.client.cli.RedraftCli;
import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every command of the server's catalog is reachable from the redraft tool: the original set through
 * typed subcommands, every command through {@code redraft cmd NAME ARG...}, which must send it as
 * the kind the catalog gives it (a read through Read, a write through the log).
 */
class CliCoversCatalogTest {
  @Test
  void everyCatalogCommandIsSentAsItsKindByTheGenericCommand() {
    for (CommandSpec spec : CommandCatalog.supported()) {
      assertThat(ReadOnlyCommands.isRead(spec.name())).as("redraft cmd %s sends it as a read", spec.name())
          .isEqualTo(spec.kind() == CommandKind.READ);
    }
  }

  @Test
  void theTypedSubcommandsAreCatalogCommandsAndCmdIsListed() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context = new CliContext(Map.of(), Path.of("."), (endpoints, timeout, credentials) -> {
      throw new AssertionError("help must not connect");
    }, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(RedraftCli.run(context, "--help")).as(err.toString()).isZero();
    // The "Commands:" section of the usage lists each subcommand at the start of an indented line.
    Set<String> listed = out.toString().lines().map(String::strip)
        .map(line -> line.split("\\s+")[0]).collect(Collectors.toSet());
    // The 43 commands of the first catalog have typed subcommands; the rest are run with cmd.
    for (String name : List.of("get", "set", "mget", "del", "expire", "ttl", "hset", "hgetall", "lpush", "lrange",
        "sadd", "smembers", "zadd", "zrange", "zcard")) {
      assertThat(listed).as("redraft --help lists %s", name).contains(name);
    }
    assertThat(listed).contains("cmd", "cluster", "completion");
  }
}
