package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WatchedKey;
import dev.redraft.coordinator.command.Ascii;
import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandSpec;
import dev.redraft.coordinator.command.InvalidCommandException;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One connection's command interpreter: decides, command by command, what the node does with it.
 * Connection and introspection commands are answered at once; MULTI queues commands until EXEC
 * sends them as one atomic batch; data commands become writes (through the log) or reads.
 */
final class RespCommands {
  /** What to do with one command. */
  sealed interface Step permits Immediate, KvCall {}

  /**
   * Data commands for the log or Redis: one command, or a transaction's commands ({@code exec}),
   * whose reply is the array of their replies. {@code shapes} holds each command's RESP3 shape.
   */
  record KvCall(CommandKind kind, List<Command> commands, List<ReplyShape> shapes, boolean exec, List<WatchedKey> watches,
      boolean stale, UnaryOperator<Reply> transform) implements Step {
    /** One data command as the client sent it, answered with Redis' reply. */
    static KvCall of(CommandKind kind, Command command) {
      return new KvCall(kind, List.of(command), List.of(ReplyShape.ofCommand(command.getName())), false, List.of(),
          false, UnaryOperator.identity());
    }

    /** A WATCH: its reply (the keys' digests) is kept for EXEC; the client gets +OK. */
    boolean watch() {
      return kind == CommandKind.READ && commands.get(0).getName().equalsIgnoreCase("WATCH");
    }
  }

  /** What an unauthenticated connection may send. */
  private static final Set<String> BEFORE_AUTH = Set.of("AUTH", "HELLO", "QUIT");
  /** What runs at once inside MULTI instead of being queued. */
  private static final Set<String> TRANSACTION_CONTROL = Set.of("EXEC", "DISCARD", "MULTI", "WATCH", "QUIT", "RESET");
  /** Answered by the node itself, so never part of a logged transaction. */
  private static final Set<String> ANSWERED_BY_NODE = Set.of("PING", "ECHO", "AUTH", "HELLO", "SELECT", "CLIENT",
      "READONLY", "READWRITE", "TIME", "INFO", "COMMAND", "CONFIG", "UNWATCH", "CLUSTER", "ASKING");

  private final RespContext context;
  private final ConnectionState state;
  private final ConnectionCommands connection;
  private final ServerCommands server;
  private final ClusterCommands cluster;
  private final ClusterRedirects redirects;

  RespCommands(RespContext context, ConnectionState state) {
    this.context = context;
    this.state = state;
    this.connection = new ConnectionCommands(context, state);
    this.server = new ServerCommands(context);
    this.cluster = new ClusterCommands(context);
    this.redirects = new ClusterRedirects(context.slots, context.nodeId);
  }

  Step step(List<byte[]> argv) {
    String name = Ascii.toUpperCase(Replies.text(argv.get(0)));
    state.lastCommand = Ascii.toLowerCase(name);
    if (name.equals("ASKING") && state.authenticated() && !state.inTransaction()) {
      // Redis Cluster's: the next command is served here. This node serves any key (it routes it).
      state.asking = true;
      return Immediate.of(Replies.OK);
    }
    try {
      return answer(name, argv);
    } finally {
      state.asking = false;
    }
  }

  private Step answer(String name, List<byte[]> argv) {
    if (!state.authenticated() && !BEFORE_AUTH.contains(name)) {
      return Immediate.error("NOAUTH Authentication required.");
    }
    if (state.inTransaction() && !TRANSACTION_CONTROL.contains(name)) {
      return queue(name, argv);
    }
    switch (name) {
      case "MULTI" -> {
        if (state.inTransaction()) {
          return Immediate.error("ERR MULTI calls can not be nested");
        }
        state.beginTransaction();
        return Immediate.of(Replies.OK);
      }
      case "EXEC" -> {
        return exec();
      }
      case "DISCARD" -> {
        if (!state.inTransaction()) {
          return Immediate.error("ERR DISCARD without MULTI");
        }
        state.endTransaction();
        state.watches.clear();
        return Immediate.of(Replies.OK);
      }
      case "WATCH" -> {
        if (state.inTransaction()) {
          return Immediate.error("ERR WATCH inside MULTI is not allowed");
        }
        return argv.size() < 2 ? ConnectionCommands.arity(name) : data(name, argv);
      }
      case "UNWATCH" -> {
        state.watches.clear();
        return Immediate.of(Replies.OK);
      }
      case "RESET" -> {
        state.endTransaction();
        state.watches.clear();
        state.protocol = 2;
        state.name = "";
        state.staleReads = false;
        state.role = state.certificateRole != null ? state.certificateRole : context.initialRole();
        return Immediate.of(Replies.status("RESET"));
      }
      default -> {
        // Connection and server commands below; everything else is data.
      }
    }
    Immediate answer = connection.handle(name, argv);
    if (answer != null) {
      return answer;
    }
    if (name.equals("CLUSTER")) {
      return cluster.handle(argv, state);
    }
    Step served = server.handle(name, argv);
    return served != null ? served : data(name, argv);
  }

  /**
   * True if {@code argv} looks like a single data command of this kind now, so it may join a pipelined run
   * (its step may still answer at once, e.g. -MOVED: the run then ends with that answer).
   */
  boolean isPlainData(List<byte[]> argv, CommandKind kind) {
    if (!state.may(kind) || state.inTransaction()) {
      return false;
    }
    Optional<CommandSpec> spec = CommandCatalog.find(Replies.text(argv.get(0)));
    return spec.isPresent() && spec.get().kind() == kind;
  }

  private Step data(String name, List<byte[]> argv) {
    Optional<CommandSpec> spec = CommandCatalog.find(name);
    if (spec.isEmpty()) {
      return Immediate.error(refusal(name, argv));
    }
    if (!state.may(spec.get().kind())) {
      return Immediate.error(noPermission(name));
    }
    String moved = redirects.movedOrNull(spec.get(), argv, state);
    if (moved != null) {
      return Immediate.error(moved);
    }
    return KvCall.of(spec.get().kind(), command(argv));
  }

  /** Inside MULTI: a command Redis would refuse now fails the whole transaction, as in Redis. */
  private Step queue(String name, List<byte[]> argv) {
    Optional<CommandSpec> spec = CommandCatalog.find(name);
    String refused = null;
    if (spec.isEmpty()) {
      refused = ANSWERED_BY_NODE.contains(name)
          ? "ERR " + name + " cannot be queued in a transaction on Redraft: send it before MULTI or after EXEC"
          : refusal(name, argv);
    } else if (!state.may(spec.get().kind())) {
      refused = noPermission(name);
    } else {
      try {
        // As one command of a batch: what a batch refuses (a flush, a read whose reply varies
        // between replicas) fails the transaction now, as Redis fails a bad command at queue time.
        context.validator.validateInWrite(name, args(argv), 2);
      } catch (InvalidCommandException e) {
        refused = e.getMessage();
      }
    }
    if (refused != null) {
      state.transactionFailed = true;
      return Immediate.error(refused);
    }
    state.transaction.add(command(argv));
    return Immediate.of(Replies.QUEUED);
  }

  private Step exec() {
    if (!state.inTransaction()) {
      return Immediate.error("ERR EXEC without MULTI");
    }
    List<Command> commands = state.transaction;
    boolean failed = state.transactionFailed;
    List<WatchedKey> watches = new ArrayList<>();
    state.watches.forEach((key, digest) -> watches.add(WatchedKey.newBuilder().setKey(key).setDigest(digest).build()));
    state.endTransaction();
    state.watches.clear();
    if (failed) {
      return Immediate.error("EXECABORT Transaction discarded because of previous errors.");
    }
    if (commands.isEmpty()) {
      // Nothing to run; with watched keys Redis still answers nil if one changed. A batch needs a
      // command, so an empty transaction checks nothing and answers the empty array.
      return Immediate.of(Replies.array(List.of()));
    }
    List<ReplyShape> shapes = commands.stream().map(c -> ReplyShape.ofCommand(c.getName())).toList();
    boolean oneRead = commands.size() == 1
        && CommandCatalog.find(commands.get(0).getName()).map(spec -> spec.kind() == CommandKind.READ).orElse(false);
    // A lone read needs no log entry unless a WATCH condition must be checked at its position.
    CommandKind kind = oneRead && watches.isEmpty() ? CommandKind.READ : CommandKind.WRITE;
    if (!state.may(kind)) {
      // A transaction of several commands, or one checked against WATCH, is an entry of the log.
      return Immediate.error(noPermission("exec"));
    }
    return new KvCall(kind, commands, shapes, true, watches, false, UnaryOperator.identity());
  }

  /** Redis' ACL error, with the role that lacks the right. */
  private String noPermission(String name) {
    return "NOPERM this user has no permissions to run the '" + Ascii.toLowerCase(name) + "' command (role "
        + state.role.label() + ")";
  }

  /** The validator's error for a command outside the catalog: unknown, or refused with its reason. */
  private String refusal(String name, List<byte[]> argv) {
    try {
      context.validator.validate(name, args(argv), CommandKind.READ);
      return "ERR unknown command '" + name + "'";
    } catch (InvalidCommandException e) {
      return e.getMessage();
    }
  }

  private static List<byte[]> args(List<byte[]> argv) {
    return argv.subList(1, argv.size());
  }

  private static Command command(List<byte[]> argv) {
    Command.Builder command = Command.newBuilder().setName(Replies.text(argv.get(0)));
    for (int i = 1; i < argv.size(); i++) {
      command.addArgs(ByteString.copyFrom(argv.get(i)));
    }
    return command.build();
  }
}
