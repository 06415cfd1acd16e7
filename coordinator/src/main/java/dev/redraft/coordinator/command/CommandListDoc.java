package dev.redraft.coordinator.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes docs/commands.md from the catalog: the supported commands by group, how each is sent, and
 * the refused ones with their reasons. A test fails when the file and the catalog disagree; run this
 * class (argument: the file) to bring it up to date.
 */
public final class CommandListDoc {
  private CommandListDoc() {}

  /** The lines around README's generated command table. */
  public static final String README_BEGIN = "<!-- commands: generated from CommandCatalog by CommandListDoc -->";
  public static final String README_END = "<!-- commands: end -->";

  /** Arguments: docs/commands.md, and optionally README.md, whose table between the markers is replaced. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "docs/commands.md");
    Files.writeString(file, render(), StandardCharsets.UTF_8);
    if (args.length > 1) {
      Path readme = Path.of(args[1]);
      Files.writeString(readme, withReadmeTable(Files.readString(readme, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
  }

  /** README's short table: the supported commands by group, writes and reads. */
  public static String readmeTable() {
    StringBuilder out = new StringBuilder("| group | writes | reads |\n|---|---|---|\n");
    Map<CommandGroup, List<CommandSpec>> byGroup = byGroup();
    byGroup.forEach((group, specs) -> out.append("| ").append(group.title()).append(" | ")
        .append(names(specs, CommandKind.WRITE)).append(" | ").append(names(specs, CommandKind.READ)).append(" |\n"));
    return out.toString();
  }

  /** {@code readme} with the text between the markers replaced by {@link #readmeTable()}. */
  public static String withReadmeTable(String readme) {
    int begin = readme.indexOf(README_BEGIN);
    int end = readme.indexOf(README_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("README.md has no " + README_BEGIN + " ... " + README_END + " block");
    }
    return readme.substring(0, begin + README_BEGIN.length()) + "\n" + readmeTable() + readme.substring(end);
  }

  private static String names(List<CommandSpec> specs, CommandKind kind) {
    return specs.stream().filter(spec -> spec.kind() == kind).map(CommandSpec::name).collect(Collectors.joining(", "));
  }

  private static Map<CommandGroup, List<CommandSpec>> byGroup() {
    return CommandCatalog.supported().stream()
        .collect(Collectors.groupingBy(CommandSpec::group, () -> new EnumMap<>(CommandGroup.class),
            Collectors.toList()));
  }

  /** The whole document. */
  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Commands\n\n")
        .append("<!-- Generated from CommandCatalog by CommandListDoc; CommandListDocTest keeps it true. -->\n\n")
        .append("Redraft runs the deterministic command set of Redis 7.0 (")
        .append(CommandCatalog.supported().size())
        .append(" commands), with Redis' own arity, options, replies and errors.\n")
        .append("Reads are served through Read (linearizable by default) and never enter the log; writes\n")
        .append("go through the Raft log. A write batch of two or more commands may also hold reads, answered\n")
        .append("at the batch's position in the log, except reads whose reply may differ between replicas\n")
        .append("(marked *varies*: order of a hash table, random picks). Relative times (EX, PX, EXPIRE,\n")
        .append("SETEX, GETEX) become absolute deadlines fixed by the leader; XADD's `*` becomes an ID from the\n")
        .append("log's time. Keys starting with `__redraft:` are Redraft's own: never shown, never writable.\n\n");
    byGroup().forEach((group, specs) -> {
      out.append("## ").append(group.title()).append("\n\n")
          .append("| Command | Sent as | Usage |\n|---|---|---|\n");
      for (CommandSpec spec : specs) {
        out.append("| ").append(spec.name()).append(" | ")
            .append(spec.kind() == CommandKind.READ ? "read" : "write")
            .append(spec.replyVaries() ? " (*varies*)" : "")
            .append(" | `").append(spec.summary().replace("|", "\\|")).append("` |\n");
      }
      out.append('\n');
    });
    out.append("## Refused\n\n")
        .append("Connection, transaction and server commands (MULTI, EXEC, CLIENT, INFO, SELECT, HELLO, AUTH...)\n")
        .append("are answered by the Redis-protocol listener where it supports them; through the gRPC API they\n")
        .append("are refused as below. Any other command is unknown.\n\n")
        .append("| Command | Why, and what to use instead |\n|---|---|\n");
    for (String name : CommandCatalog.refusedNames()) {
      String reason = CommandCatalog.refusalReason(name).orElseThrow();
      out.append("| ").append(name).append(" | ")
          .append(reason.substring(reason.indexOf(": ") + 2).replace("|", "\\|")).append(" |\n");
    }
    return out.toString();
  }
}
