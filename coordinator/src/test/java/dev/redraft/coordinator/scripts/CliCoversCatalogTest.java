package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.cli.CliContext;
import dev.redraft.client.cli.RedraftCli;
import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.command.CommandSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every command of the server's catalog has a typed subcommand in the redraft tool. */
class CliCoversCatalogTest {
  @Test
  void everyCatalogCommandHasASubcommand() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context = new CliContext(Map.of(), Path.of("."), (endpoints, timeout, tls) -> {
      throw new AssertionError("help must not connect");
    }, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(RedraftCli.run(context, "--help")).as(err.toString()).isZero();
    // The "Commands:" section of the usage lists each subcommand at the start of an indented line.
    Set<String> listed = out.toString().lines().map(String::strip)
        .map(line -> line.split("\\s+")[0]).collect(Collectors.toSet());
    assertThat(CommandCatalog.supported()).isNotEmpty();
    for (CommandSpec spec : CommandCatalog.supported()) {
      assertThat(listed).as("redraft --help lists %s", spec.name()).contains(spec.name().toLowerCase(Locale.ROOT));
    }
    assertThat(listed).contains("cmd", "cluster", "completion");
  }
}
