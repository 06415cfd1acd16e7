package dev.redraft.coordinator.resp;

import dev.redraft.coordinator.api.KvOperations;
import dev.redraft.coordinator.api.SlotLayout;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.security.Caller;
import dev.redraft.coordinator.security.Role;
import dev.redraft.coordinator.security.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What every RESP connection of a node shares: the operations, the node's view, the open connections. */
final class RespContext {
  final KvOperations kv;
  /** Which group owns which slots and who leads it: CLUSTER SLOTS and friends of a sharded cluster. */
  final SlotLayout slots;
  final CommandValidator validator;
  final String nodeId;
  final Supplier<RaftStatus> raftStatus;
  final int port;
  /** The port for cluster-aware clients (null: none). */
  final ClusterCommands.HostPort clusterAddress;
  /** The largest argument and the largest command (all arguments) accepted: max-request-bytes. */
  final int maxRequestBytes;
  final long startedMillis = System.currentTimeMillis();
  /** Prefix of every session id this node opens: unique per node start, so ids never repeat. */
  final String sessionPrefix;
  private final byte[] passwordDigest;
  private final Tokens tokens;
  /** TLS on this port: a connection authenticates with a password, a token or its client certificate. */
  private final boolean tls;
  private final AtomicLong nextConnectionId = new AtomicLong();
  private final Map<Long, ConnectionState> connections = new ConcurrentHashMap<>();

  RespContext(KvOperations kv, SlotLayout slots, CommandValidator validator, String nodeId, Supplier<RaftStatus> raftStatus, int port,
      ClusterCommands.HostPort clusterAddress, int maxRequestBytes, String password, Tokens tokens, boolean tls) {
    this.maxRequestBytes = maxRequestBytes;
    this.kv = kv;
    this.slots = slots;
    this.validator = validator;
    this.nodeId = nodeId;
    this.raftStatus = raftStatus;
    this.port = port;
    this.clusterAddress = clusterAddress;
    this.passwordDigest = password.isEmpty() ? null : sha256(password.getBytes(StandardCharsets.UTF_8));
    this.tokens = tokens;
    this.tls = tls;
    this.sessionPrefix = "resp-" + nodeId + "-" + Long.toHexString(System.nanoTime() ^ startedMillis);
  }

  /** Whether a connection must authenticate (AUTH, or a client certificate on a TLS port). */
  boolean authRequired() {
    return passwordDigest != null || tokens.accepted() || tls;
  }

  /** Whether AUTH can succeed at all: a password or tokens are configured. */
  boolean authConfigured() {
    return passwordDigest != null || tokens.accepted();
  }

  /**
   * The role AUTH gives: the password (user "default", or no user) gives every right, as Redis' default
   * user has them; a token its own role (user: the token's name, or none). Null: no match.
   */
  Role authenticate(String user, byte[] secret) {
    if ((user == null || user.equals("default")) && passwordMatches(secret)) {
      return Role.ADMIN;
    }
    Optional<Caller> caller = tokens.find(new String(secret, StandardCharsets.UTF_8));
    if (caller.isPresent() && (user == null || caller.get().name().equals("token " + user))) {
      return caller.get().role();
    }
    return null;
  }

  /** The role a TLS client certificate gives (its OU), or null without a verified one. */
  Role roleOf(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate certificate
          ? Role.of(certificate).orElse(null) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** Constant-time comparison of digests, so the time taken says nothing about the password. */
  private boolean passwordMatches(byte[] given) {
    return passwordDigest != null && MessageDigest.isEqual(passwordDigest, sha256(given));
  }

  ConnectionState open(String remote, String local, boolean clusterPort) {
    ConnectionState state = new ConnectionState(nextConnectionId.incrementAndGet(), sessionPrefix, remote, local,
        initialRole());
    state.clusterPort = clusterPort;
    connections.put(state.id, state);
    return state;
  }

  /** Without any way to authenticate configured (loopback only, no TLS), a connection may do everything. */
  Role initialRole() {
    return authRequired() ? null : Role.ADMIN;
  }

  void close(ConnectionState state) {
    connections.remove(state.id);
  }

  Collection<ConnectionState> connections() {
    return connections.values();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
