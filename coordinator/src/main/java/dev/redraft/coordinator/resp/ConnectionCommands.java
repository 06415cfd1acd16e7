package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Reply;
import dev.redraft.coordinator.command.Ascii;
import dev.redraft.coordinator.security.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands about the connection itself, answered by the node without the log: PING, ECHO,
 * AUTH, HELLO, SELECT, CLIENT, READONLY/READWRITE, TIME, RESET and QUIT.
 */
final class ConnectionCommands {
  static final String REDIS_VERSION = "7.0.0";
  private static final String WRONG_PASS = "WRONGPASS invalid username-password pair or user is disabled.";

  private final RespContext context;
  private final ConnectionState state;

  ConnectionCommands(RespContext context, ConnectionState state) {
    this.context = context;
    this.state = state;
  }

  /** The reply, or null if {@code name} is not a connection command. */
  Immediate handle(String name, List<byte[]> argv) {
    return switch (name) {
      case "PING" -> argv.size() > 2 ? arity(name)
          : Immediate.of(argv.size() == 2 ? Replies.bulk(argv.get(1)) : Replies.status("PONG"));
      case "ECHO" -> argv.size() != 2 ? arity(name) : Immediate.of(Replies.bulk(argv.get(1)));
      case "AUTH" -> auth(argv);
      case "HELLO" -> hello(argv);
      case "SELECT" -> select(argv);
      case "CLIENT" -> client(argv);
      case "READONLY" -> {
        state.staleReads = true;
        yield Immediate.of(Replies.OK);
      }
      case "READWRITE" -> {
        state.staleReads = false;
        yield Immediate.of(Replies.OK);
      }
      case "TIME" -> time(argv);
      case "QUIT" -> new Immediate(Replies.OK, ReplyShape.PLAIN, true);
      default -> null;
    };
  }

  static Immediate arity(String name) {
    return Immediate.error("ERR wrong number of arguments for '" + Ascii.toLowerCase(name) + "' command");
  }

  private Immediate auth(List<byte[]> argv) {
    if (argv.size() < 2 || argv.size() > 3) {
      return arity("AUTH");
    }
    if (!context.authConfigured()) {
      return Immediate.error("ERR AUTH <password> called without any password configured for the default user."
          + " Are you sure your configuration is correct?");
    }
    Role role = context.authenticate(argv.size() == 3 ? Replies.text(argv.get(1)) : null, argv.get(argv.size() - 1));
    if (role == null) {
      return Immediate.error(WRONG_PASS);
    }
    state.role = role;
    return Immediate.of(Replies.OK);
  }

  /** HELLO [protover [AUTH username password] [SETNAME name]]: RESP2 or RESP3, and who we are. */
  private Immediate hello(List<byte[]> argv) {
    int protocol = state.protocol;
    int i = 1;
    if (argv.size() > 1) {
      String version = Replies.text(argv.get(1));
      if (!version.equals("2") && !version.equals("3")) {
        return Immediate.error(version.matches("-?\\d+") ? "NOPROTO unsupported protocol version"
            : "ERR Protocol version is not an integer or out of range");
      }
      protocol = Integer.parseInt(version);
      i = 2;
    }
    String newName = null;
    boolean authenticated = state.authenticated();
    for (; i < argv.size(); i++) {
      String option = Ascii.toUpperCase(Replies.text(argv.get(i)));
      if (option.equals("AUTH") && i + 2 < argv.size()) {
        Immediate refused = auth(List.of(argv.get(0), argv.get(i + 1), argv.get(i + 2)));
        if (refused.reply().hasError()) {
          return refused;
        }
        authenticated = true;
        i += 2;
      } else if (option.equals("SETNAME") && i + 1 < argv.size()) {
        newName = Replies.text(argv.get(++i));
        String invalid = invalidName(newName);
        if (invalid != null) {
          return Immediate.error(invalid);
        }
      } else {
        return Immediate.error("ERR Syntax error in HELLO option '" + Replies.text(argv.get(i)) + "'");
      }
    }
    if (!authenticated) {
      return Immediate.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
          + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP"
          + " protocol version at the same time");
    }
    state.protocol = protocol;
    if (newName != null) {
      state.name = newName;
    }
    List<Reply> map = new ArrayList<>();
    map.add(Replies.bulk("server"));
    map.add(Replies.bulk("redis"));
    map.add(Replies.bulk("version"));
    map.add(Replies.bulk(REDIS_VERSION));
    map.add(Replies.bulk("proto"));
    map.add(Replies.integer(protocol));
    map.add(Replies.bulk("id"));
    map.add(Replies.integer(state.id));
    map.add(Replies.bulk("mode"));
    map.add(Replies.bulk("cluster"));
    map.add(Replies.bulk("role"));
    map.add(Replies.bulk(context.raftStatus.get().role().equals("LEADER") ? "master" : "replica"));
    map.add(Replies.bulk("modules"));
    map.add(Replies.array(List.of()));
    return new Immediate(Replies.array(map), ReplyShape.MAP, false);
  }

  private Immediate select(List<byte[]> argv) {
    if (argv.size() != 2) {
      return arity("SELECT");
    }
    String db = Replies.text(argv.get(1));
    if (!db.matches("-?\\d{1,18}")) {
      return Immediate.error("ERR value is not an integer or out of range");
    }
    return Long.parseLong(db) == 0 ? Immediate.of(Replies.OK)
        : Immediate.error("ERR DB index is out of range: Redraft serves database 0 only");
  }

  private Immediate client(List<byte[]> argv) {
    if (argv.size() < 2) {
      return arity("CLIENT");
    }
    String sub = Ascii.toUpperCase(Replies.text(argv.get(1)));
    return switch (sub) {
      case "ID" -> Immediate.of(Replies.integer(state.id));
      case "GETNAME" -> Immediate.of(state.name.isEmpty() ? Replies.NIL : Replies.bulk(state.name));
      case "SETNAME" -> {
        if (argv.size() != 3) {
          yield Immediate.error("ERR wrong number of arguments for 'client|setname' command");
        }
        String name = Replies.text(argv.get(2));
        String invalid = invalidName(name);
        if (invalid != null) {
          yield Immediate.error(invalid);
        }
        state.name = name;
        yield Immediate.of(Replies.OK);
      }
      case "SETINFO" -> setInfo(argv);
      case "INFO" -> Immediate.of(Replies.bulk(describe(state) + "\n"));
      case "LIST" -> {
        if (!state.role.covers(Role.ADMIN)) {
          // Every connection's address and name: for operators, as Redis keeps CLIENT LIST for admins.
          yield Immediate.error("NOPERM this user has no permissions to run the 'client|list' command (role "
              + state.role.label() + ")");
        }
        StringBuilder out = new StringBuilder();
        context.connections().stream().sorted((a, b) -> Long.compare(a.id, b.id))
            .forEach(c -> out.append(describe(c)).append('\n'));
        yield Immediate.of(Replies.bulk(out.toString()));
      }
      case "NO-EVICT", "NO-TOUCH" -> Immediate.of(Replies.OK);
      default -> Immediate.error("ERR unknown subcommand or wrong number of arguments for '"
          + Ascii.toLowerCase(sub) + "'. Redraft supports CLIENT ID, GETNAME, SETNAME, SETINFO, INFO and LIST");
    };
  }

  private Immediate setInfo(List<byte[]> argv) {
    if (argv.size() != 4) {
      return Immediate.error("ERR wrong number of arguments for 'client|setinfo' command");
    }
    String attribute = Ascii.toUpperCase(Replies.text(argv.get(2)));
    String value = Replies.text(argv.get(3));
    if (value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      return Immediate.error("ERR " + attribute.toLowerCase() + " cannot contain spaces, newlines or special characters.");
    }
    switch (attribute) {
      case "LIB-NAME" -> state.libName = value;
      case "LIB-VER" -> state.libVersion = value;
      default -> {
        return Immediate.error("ERR Unrecognized option '" + Replies.text(argv.get(2)) + "'");
      }
    }
    return Immediate.of(Replies.OK);
  }

  private Immediate time(List<byte[]> argv) {
    if (argv.size() != 1) {
      return arity("TIME");
    }
    // The node's own clock, as Redis answers from its host's: a read that never enters the log.
    java.time.Instant now = java.time.Instant.now();
    return Immediate.of(Replies.bulks(List.of(Long.toString(now.getEpochSecond()), Long.toString(now.getNano() / 1000))));
  }

  private static String invalidName(String name) {
    return name.chars().anyMatch(c -> c <= ' ' || c > '~')
        ? "ERR Client names cannot contain spaces, newlines or special characters." : null;
  }

  static String describe(ConnectionState c) {
    long now = System.currentTimeMillis();
    return "id=" + c.id + " addr=" + c.remoteAddress + " laddr=" + c.localAddress + " name=" + c.name
        + " age=" + (now - c.createdMillis) / 1000 + " db=0 multi=" + (c.inTransaction() ? c.transaction.size() : -1)
        + " resp=" + c.protocol + " cmd=" + c.lastCommand + " lib-name=" + c.libName + " lib-ver=" + c.libVersion
        + " reads=" + (c.staleReads ? "stale" : "linearizable");
  }
}
