package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * The Redis ACL rules scripts/cluster.sh gives each node's Redis users, read from the script itself,
 * so that tests check the rules clusters really run with.
 */
public final class ClusterScriptAcl {
  private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/cluster.sh");

  private ClusterScriptAcl() {}

  /** The rule of the coordinator's user 'redraft' (REDRAFT_ACL in cluster.sh). */
  public static String coordinatorRule() {
    return variable("REDRAFT_ACL");
  }

  /** The rule of the read-only user 'reader' (READER_ACL in cluster.sh). */
  public static String readerRule() {
    return variable("READER_ACL");
  }

  /** Creates (or resets) USER with PASSWORD, every key, no channels and the given rule, as cluster.sh writes it. */
  public static void createUser(Jedis admin, String user, String password, String rule) {
    List<String> args = new ArrayList<>(List.of("SETUSER", user, "reset", "on", ">" + password, "~*", "resetchannels"));
    args.addAll(List.of(rule.trim().split("\\s+")));
    admin.sendCommand(Protocol.Command.ACL, args.toArray(String[]::new));
  }

  private static String variable(String name) {
    String script;
    try {
      script = Files.readString(SCRIPT, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SCRIPT, e);
    }
    Matcher m = Pattern.compile("^" + name + "='([^']+)'$", Pattern.MULTILINE).matcher(script);
    if (!m.find()) {
      throw new IllegalStateException(SCRIPT + " has no line " + name + "='...'");
    }
    return m.group(1);
  }
}
