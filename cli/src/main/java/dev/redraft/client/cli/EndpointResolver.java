package dev.redraft.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the endpoints, first match wins: the --endpoints flag, the REDRAFT_ENDPOINTS variable, then
 * the file {@code $REDRAFT_HOME/endpoints} written by {@code scripts/cluster.sh} (REDRAFT_HOME
 * defaults to {@code ./.redraft}), one host:port per line.
 */
final class EndpointResolver {
  static final String ENDPOINTS_ENV = "REDRAFT_ENDPOINTS";
  static final String HOME_ENV = "REDRAFT_HOME";
  static final String DEFAULT_HOME = ".redraft";

  private EndpointResolver() {}

  static List<String> resolve(String flag, Map<String, String> env, Path workingDir) {
    if (flag != null) {
      // Given but empty (--endpoints '' from an unset variable, say) is a mistake, not "use the default".
      List<String> fromFlag = split(flag);
      if (fromFlag.isEmpty()) {
        throw new CliUsageException("--endpoints is empty: give host:port[,host:port...], or leave the flag out "
            + "to use REDRAFT_ENDPOINTS or $REDRAFT_HOME/endpoints");
      }
      return fromFlag;
    }
    List<String> fromEnv = split(env.get(ENDPOINTS_ENV));
    if (!fromEnv.isEmpty()) {
      return fromEnv;
    }
    String home = env.getOrDefault(HOME_ENV, "");
    Path file = workingDir.resolve(home.isBlank() ? DEFAULT_HOME : home).resolve("endpoints");
    if (Files.isRegularFile(file)) {
      List<String> fromFile = readFile(file);
      if (!fromFile.isEmpty()) {
        return fromFile;
      }
    }
    throw new CliUsageException(noEndpoints(file));
  }

  /** Names the file it looked for, and REDRAFT_HOME for a cluster started with --dir. */
  static String noEndpoints(Path file) {
    return "no endpoints: no " + file + "; pass --endpoints HOST:PORT, set REDRAFT_ENDPOINTS, set REDRAFT_HOME to "
        + "the DIR of 'scripts/cluster.sh start --dir DIR', or start a local cluster with scripts/cluster.sh start";
  }

  private static List<String> split(String commaSeparated) {
    List<String> endpoints = new ArrayList<>();
    if (commaSeparated != null) {
      for (String part : commaSeparated.split(",")) {
        if (!part.isBlank()) {
          endpoints.add(part.trim());
        }
      }
    }
    return endpoints;
  }

  private static List<String> readFile(Path file) {
    try {
      List<String> endpoints = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.trim();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          endpoints.add(trimmed);
        }
      }
      return endpoints;
    } catch (IOException e) {
      throw new CliUsageException("cannot read the endpoints file " + file + ": " + e.getMessage()
          + "; pass --endpoints or set REDRAFT_ENDPOINTS instead");
    }
  }
}
