package dev.redraft.coordinator.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/commands.md is what the catalog says, so the published list cannot drift. */
class CommandListDocTest {
  /** Surefire runs in the module directory; the docs are at the repository's root. */
  private static final Path FILE = Path.of("..", "docs", "commands.md");
  private static final Path README = Path.of("..", "README.md");

  @Test
  void theCommandListIsGeneratedFromTheCatalog() throws Exception {
    if (Boolean.getBoolean("redraft.docs.update")) {
      CommandListDoc.main(new String[] {FILE.toString(), README.toString()});
    }
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    assertThat(readme).as("README's supported-command table disagrees with the catalog: run CommandListDocTest"
        + " with -Dredraft.docs.update=true").isEqualTo(CommandListDoc.withReadmeTable(readme));
    assertThat(Files.exists(FILE)).as("%s is missing: run this test with -Dredraft.docs.update=true",
        FILE.toAbsolutePath().normalize()).isTrue();
    assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
        .as("docs/commands.md disagrees with the catalog: run CommandListDocTest with -Dredraft.docs.update=true")
        .isEqualTo(CommandListDoc.render());
  }

  @Test
  void everySupportedAndRefusedCommandIsListed() {
    String doc = CommandListDoc.render();
    for (CommandSpec spec : CommandCatalog.supported()) {
      assertThat(doc).contains("| " + spec.name() + " | ");
    }
    for (String name : CommandCatalog.refusedNames()) {
      assertThat(doc).contains("| " + name + " | ");
    }
  }
}
