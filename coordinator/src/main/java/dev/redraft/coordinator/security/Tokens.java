package dev.redraft.coordinator.security;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every token a node honours: its tokens-file's, and those granted through the log (the Access
 * service), read from this node's Redis (the replicated state, so a snapshot install or a repair can
 * never leave a revoked token behind) at most once a second: a revocation takes effect on a node
 * within a second of being applied there. Tokens are honoured only when the node accepts them
 * (tokens-file configured, even empty).
 */
public final class Tokens {
  /** Internal hash of the tokens granted through the log: name -> "ROLE SHA256" (user commands cannot name it). */
  public static final String REPLICATED_KEY = "__redraft:tokens";
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final TokenStore file;
  private final boolean accepted;
  /** The replicated table: name -> "ROLE SHA256". */
  private final Supplier<Map<String, String>> replicated;
  private volatile Map<String, Caller> byHash = Map.of();
  private volatile long readAtNanos;

  public Tokens(TokenStore file, boolean accepted, Supplier<Map<String, String>> replicated) {
    this.file = file;
    this.accepted = accepted;
    this.replicated = replicated;
  }

  public static Tokens none() {
    return new Tokens(TokenStore.empty(), false, Map::of);
  }

  /** Whether callers may present a token (then a client certificate is optional at the handshake). */
  public boolean accepted() {
    return accepted;
  }

  /** Who presents this token; empty if this node does not honour it. */
  public Optional<Caller> find(String token) {
    if (!accepted || token == null || token.length() < TokenStore.MIN_TOKEN_LENGTH) {
      return Optional.empty();
    }
    Optional<Caller> fromFile = file.find(token);
    if (fromFile.isPresent()) {
      return fromFile;
    }
    return Optional.ofNullable(replicatedByHash().get(TokenStore.sha256Hex(token)));
  }

  /** The tokens granted through the log, by name: their role. */
  public Map<String, Role> granted() {
    Map<String, Role> roles = new HashMap<>();
    replicated.get().forEach((name, value) -> parse(name, value).ifPresent(c -> roles.put(name, c.role())));
    return roles;
  }

  public TokenStore file() {
    return file;
  }

  private Map<String, Caller> replicatedByHash() {
    long now = System.nanoTime();
    if (now - readAtNanos > REFRESH_NANOS) {
      Map<String, Caller> fresh = new HashMap<>();
      try {
        replicated.get().forEach((name, value) -> {
          String[] fields = value.split(" ");
          parse(name, value).ifPresent(caller -> fresh.put(fields[1], caller));
        });
      } catch (RuntimeException redisUnreachable) {
        // A node whose Redis does not answer is not ready anyway; honour nothing granted until it does.
        fresh.clear();
      }
      byHash = Map.copyOf(fresh);
      readAtNanos = now;
    }
    return byHash;
  }

  private static Optional<Caller> parse(String name, String value) {
    String[] fields = value.split(" ");
    if (fields.length != 2) {
      return Optional.empty();
    }
    return Role.named(fields[0]).map(role -> new Caller("token " + name, role));
  }
}
