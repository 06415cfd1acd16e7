package dev.redraft.coordinator.resp;

import java.util.HashMap;
import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.coordinator.api.SessionStamp;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.security.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one RESP connection carries between commands: who it is, how it talks, its open
 * transaction, and its write session. Touched only on the connection's event-loop thread, except
 * the fields CLIENT LIST and INFO read from other connections (volatile).
 */
final class ConnectionState {
  final long id;
  final String remoteAddress;
  final String localAddress;
  final long createdMillis = System.currentTimeMillis();
  volatile String name = "";
  volatile String libName = "";
  volatile String libVersion = "";
  volatile int protocol = 2;
  /** What this connection may do; null until it authenticates. */
  volatile Role role;
  /** The role its TLS client certificate gives (null: none); RESET comes back to it. */
  volatile Role certificateRole;
  volatile String lastCommand = "NULL";
  /** READONLY: reads are served by this node's Redis as it is, without asking the leader. */
  volatile boolean staleReads;
  /** Reached through the port for cluster-aware clients: keys of groups led elsewhere are answered -MOVED. */
  volatile boolean clusterPort;
  /** ASKING: the next command is served here whoever leads its keys' group (then it is cleared). */
  boolean asking;

  /** Commands queued since MULTI, or null outside a transaction. */
  List<Command> transaction;
  /** A queued command was refused: EXEC discards the transaction. */
  boolean transactionFailed;

  /** WATCHed keys and their digests when first watched (kept until EXEC, DISCARD, UNWATCH or RESET). */
  final Map<ByteString, ByteString> watches = new LinkedHashMap<>();

  /**
   * This connection's sessions, one per Raft group it writes to (one in a cluster that is not sharded):
   * a client id each, sequences in send order, opened (and stamped) by the first write to that group, so
   * a group never sees a session open above sequence 1 or with an old stamp.
   */
  private final String sessionPrefix;
  private final Map<Integer, GroupSession> sessions = new HashMap<>();

  private static final class GroupSession {
    int generation;
    long lastSequence;
    /** Stamped when the session's first write is sent (null until then). */
    String id;
  }

  ConnectionState(long id, String sessionPrefix, String remoteAddress, String localAddress, Role role) {
    this.id = id;
    this.sessionPrefix = sessionPrefix;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
    this.role = role;
  }

  boolean authenticated() {
    return role != null;
  }

  /** Whether this connection may run commands of this kind (reads need read, writes readwrite). */
  boolean may(CommandKind kind) {
    return role != null && role.covers(kind == CommandKind.WRITE ? Role.READWRITE : Role.READ);
  }

  /** The client id of the session with {@code group}; the first call of a session stamps it with its opening time. */
  String sessionId(int group) {
    GroupSession session = sessions.computeIfAbsent(group, g -> new GroupSession());
    if (session.id == null) {
      // Group 0's id is the one a connection of an unsharded cluster always had.
      session.id = SessionStamp.stamp(sessionPrefix + "-" + id + "-" + session.generation
          + (group == 0 ? "" : "-g" + group), System.currentTimeMillis());
    }
    return session.id;
  }

  long nextSequence(int group) {
    return ++sessions.computeIfAbsent(group, g -> new GroupSession()).lastSequence;
  }

  /**
   * Starts a new session with {@code group}: the old one was dropped (idle or evicted), so its next
   * sequence would be refused; a new client id starting at 1 is always accepted.
   */
  void renewSession(int group) {
    GroupSession session = sessions.computeIfAbsent(group, g -> new GroupSession());
    session.generation++;
    session.lastSequence = 0;
    session.id = null;
  }

  void beginTransaction() {
    transaction = new ArrayList<>();
    transactionFailed = false;
  }

  void endTransaction() {
    transaction = null;
    transactionFailed = false;
  }

  boolean inTransaction() {
    return transaction != null;
  }
}
