package dev.redraft.coordinator.scripts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sessions shown in a README section: in its plain ``` blocks, a line "$ COMMAND" followed by the
 * output it shows. Outputs are compared with numbers, runs of blanks and Raft roles left free (ports,
 * indexes and which node leads differ from run to run); a line "..." stands for any number of lines.
 */
final class ReadmeTranscript {
  /** One command and the output the README shows for it. */
  record Example(String command, List<String> output) {}

  private ReadmeTranscript() {}

  static List<Example> examples(Path readme, String section) throws IOException {
    List<Example> examples = new ArrayList<>();
    boolean inSection = false;
    boolean inBlock = false;
    String command = null;
    List<String> output = new ArrayList<>();
    for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
      if (line.startsWith("## ")) {
        inSection = line.equals("## " + section);
        continue;
      }
      if (!inSection) {
        continue;
      }
      if (line.startsWith("```")) {
        if (inBlock && command != null) {
          examples.add(new Example(command, List.copyOf(output)));
        }
        inBlock = !inBlock && line.equals("```");
        command = null;
        output.clear();
        continue;
      }
      if (!inBlock) {
        continue;
      }
      if (line.startsWith("$ ")) {
        if (command != null) {
          examples.add(new Example(command, List.copyOf(output)));
        }
        command = line.substring(2);
        output.clear();
      } else if (command != null) {
        output.add(line);
      }
    }
    return examples;
  }

  /** Where the actual output differs from the README's, or empty if it matches. */
  static Optional<String> mismatch(List<String> expected, List<String> actual) {
    int a = 0;
    for (int e = 0; e < expected.size(); e++) {
      if (expected.get(e).strip().equals("...")) {
        // Skip actual lines until the next expected one matches (or to the end).
        String next = e + 1 < expected.size() ? normalize(expected.get(e + 1)) : null;
        while (a < actual.size() && (next == null || !normalize(actual.get(a)).equals(next))) {
          a++;
        }
        continue;
      }
      if (a >= actual.size()) {
        return Optional.of("missing line " + (e + 1) + ": " + expected.get(e));
      }
      if (!normalize(expected.get(e)).equals(normalize(actual.get(a)))) {
        return Optional.of("line " + (e + 1) + " differs:\n  README: " + expected.get(e) + "\n  actual: " + actual.get(a));
      }
      a++;
    }
    return a < actual.size() ? Optional.of("extra line: " + actual.get(a)) : Optional.empty();
  }

  static String normalize(String line) {
    return line.replaceAll("\\d+", "N")
        .replaceAll("\\b(LEADER|FOLLOWER|CANDIDATE)\\b", "ROLE")
        .replaceAll("\\s+", " ")
        .strip();
  }
}
