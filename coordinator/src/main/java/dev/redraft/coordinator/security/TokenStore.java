package dev.redraft.coordinator.security;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens a node accepts, read from the tokens file at start: one line per token,
 * {@code NAME ROLE SHA256}, where SHA256 is the hex SHA-256 of the token ({@code printf %s "$TOKEN" |
 * sha256sum}); {@code #} starts a comment. Only hashes are kept, on disk and in memory: a stolen file
 * gives no usable token. Tokens are long random strings, so an unsalted hash is enough (as for API
 * keys); a presented token is hashed and its hash looked up, so timing can tell an attacker nothing
 * about a token, only about hashes they cannot invert.
 */
public final class TokenStore {
  /** Shorter tokens could be guessed; cluster.sh makes 64 hex characters (256 bits). */
  static final int MIN_TOKEN_LENGTH = 16;

  private final Map<String, Caller> byHash;

  private TokenStore(Map<String, Caller> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  public static TokenStore empty() {
    return new TokenStore(Map.of());
  }

  public static TokenStore load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(ConfigKey.TOKENS_FILE.key() + ": cannot read " + file + ": " + e.getMessage());
    }
    Map<String, Caller> byHash = new HashMap<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = ConfigKey.TOKENS_FILE.key() + ": " + file + " line " + (i + 1) + ": ";
      String[] fields = line.split("\\s+");
      if (fields.length != 3) {
        throw new ConfigException(where + "expected 'NAME ROLE SHA256' (3 fields), found " + fields.length);
      }
      if (!TokenRules.NAME.matcher(fields[0]).matches()) {
        throw new ConfigException(where + "the name '" + fields[0] + "' must be 1-64 letters, digits or _.@-");
      }
      Role role = Role.named(fields[1]).orElseThrow(() -> new ConfigException(
          where + "unknown role '" + fields[1] + "'; roles: " + Role.labels()));
      if (role == Role.NODE) {
        throw new ConfigException(where + "a token cannot hold the node role: nodes identify each other by"
            + " certificate (OU=node)");
      }
      if (!TokenRules.SHA256_HEX.matcher(fields[2]).matches()) {
        throw new ConfigException(where + "the third field must be the token's SHA-256 in hex (64 characters),"
            + " not the token itself: printf %s \"$TOKEN\" | sha256sum");
      }
      Integer earlier = names.put(fields[0], i + 1);
      if (earlier != null) {
        throw new ConfigException(where + "the name '" + fields[0] + "' is also on line " + earlier);
      }
      if (byHash.put(fields[2].toLowerCase(), new Caller("token " + fields[0], role)) != null) {
        throw new ConfigException(where + "the same token hash is on an earlier line");
      }
    }
    return new TokenStore(byHash);
  }

  /** The file's tokens by name: their role. */
  public java.util.Map<String, Role> names() {
    java.util.Map<String, Role> names = new java.util.TreeMap<>();
    byHash.values().forEach(caller -> names.put(caller.name().substring("token ".length()), caller.role()));
    return names;
  }

  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  public int size() {
    return byHash.size();
  }

  /** Who presents this token; empty if no token of this store matches. */
  public Optional<Caller> find(String token) {
    if (token == null || token.length() < MIN_TOKEN_LENGTH) {
      return Optional.empty();
    }
    return Optional.ofNullable(byHash.get(sha256Hex(token)));
  }

  public static String sha256Hex(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
