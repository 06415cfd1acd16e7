package dev.redraft.coordinator.resp;

import dev.redraft.coordinator.api.KvOperations;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.raft.RaftStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** What every RESP connection of a node shares: the operations, the node's view, the open connections. */
final class RespContext {
  final KvOperations kv;
  final CommandValidator validator;
  final String nodeId;
  final Supplier<RaftStatus> raftStatus;
  final int port;
  /** The largest argument and the largest command (all arguments) accepted: max-request-bytes. */
  final int maxRequestBytes;
  final long startedMillis = System.currentTimeMillis();
  /** Prefix of every session id this node opens: unique per node start, so ids never repeat. */
  final String sessionPrefix;
  private final byte[] passwordDigest;
  private final AtomicLong nextConnectionId = new AtomicLong();
  private final Map<Long, ConnectionState> connections = new ConcurrentHashMap<>();

  RespContext(KvOperations kv, CommandValidator validator, String nodeId, Supplier<RaftStatus> raftStatus, int port,
      int maxRequestBytes, String password) {
    this.maxRequestBytes = maxRequestBytes;
    this.kv = kv;
    this.validator = validator;
    this.nodeId = nodeId;
    this.raftStatus = raftStatus;
    this.port = port;
    this.passwordDigest = password.isEmpty() ? null : sha256(password.getBytes(StandardCharsets.UTF_8));
    this.sessionPrefix = "resp-" + nodeId + "-" + Long.toHexString(System.nanoTime() ^ startedMillis);
  }

  boolean passwordRequired() {
    return passwordDigest != null;
  }

  /** Constant-time comparison of digests, so the time taken says nothing about the password. */
  boolean passwordMatches(byte[] given) {
    return passwordDigest != null && MessageDigest.isEqual(passwordDigest, sha256(given));
  }

  ConnectionState open(String remote, String local) {
    ConnectionState state = new ConnectionState(nextConnectionId.incrementAndGet(), sessionPrefix, remote, local,
        !passwordRequired());
    connections.put(state.id, state);
    return state;
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
