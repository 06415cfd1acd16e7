package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.Reply;
import dev.redraft.coordinator.command.Ascii;
import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandSpec;
import dev.redraft.coordinator.command.KeySpec;
import dev.redraft.coordinator.raft.RaftStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The introspection commands clients and tools send on their own: INFO (with a raft section),
 * COMMAND (built from the command catalog, so redis-cli's hints and client libraries see exactly
 * what Redraft runs) and CONFIG GET (the settings clients ask about; CONFIG SET stays refused).
 */
final class ServerCommands {
  private final RespContext context;

  ServerCommands(RespContext context) {
    this.context = context;
  }

  /** What to do, or null if {@code name} is not one of these commands. */
  RespCommands.Step handle(String name, List<byte[]> argv) {
    return switch (name) {
      case "INFO" -> info(argv.subList(1, argv.size()));
      case "COMMAND" -> command(argv);
      case "CONFIG" -> config(argv);
      default -> null;
    };
  }

  /**
   * INFO's sections; the keyspace section counts this node's keys with a stale DBSIZE (INFO describes
   * the node and must answer without a leader), left out if even that fails.
   */
  private RespCommands.Step info(List<byte[]> sectionArgs) {
    List<String> wanted = sectionArgs.stream().map(a -> Replies.text(a).toLowerCase(Locale.ROOT)).toList();
    boolean all = wanted.isEmpty() || wanted.contains("all") || wanted.contains("everything")
        || wanted.contains("default");
    String text = infoText(wanted, all);
    if (!all && !wanted.contains("keyspace")) {
      return Immediate.of(Replies.bulk(text));
    }
    return new RespCommands.KvCall(CommandKind.READ, List.of(Command.newBuilder().setName("DBSIZE").build()),
        List.of(ReplyShape.PLAIN), false, List.of(), true, dbsize -> Replies.bulk(text + "# Keyspace\r\n"
            + (dbsize.hasInteger() && dbsize.getInteger() > 0 ? "db0:keys=" + dbsize.getInteger() + "\r\n" : "")
            + "\r\n"));
  }

  private String infoText(List<String> wanted, boolean all) {
    RaftStatus raft = context.raftStatus.get();
    boolean leader = raft.role().equals("LEADER");
    StringBuilder out = new StringBuilder();
    if (all || wanted.contains("server")) {
      out.append("# Server\r\nredis_version:").append(ConnectionCommands.REDIS_VERSION)
          .append("\r\nredis_mode:cluster\r\nserver_name:redraft\r\nredraft_node_id:").append(context.nodeId)
          .append("\r\nprocess_id:").append(ProcessHandle.current().pid())
          .append("\r\ntcp_port:").append(context.port)
          .append("\r\nuptime_in_seconds:").append((System.currentTimeMillis() - context.startedMillis) / 1000)
          .append("\r\n\r\n");
    }
    if (all || wanted.contains("clients")) {
      out.append("# Clients\r\nconnected_clients:").append(context.connections().size()).append("\r\n\r\n");
    }
    if (all || wanted.contains("replication")) {
      out.append("# Replication\r\nrole:").append(leader ? "master" : "slave")
          .append("\r\nleader_id:").append(raft.leaderId())
          .append("\r\nconnected_slaves:").append(leader ? Math.max(0, raft.peers().size() - 1) : 0)
          .append("\r\n\r\n");
    }
    if (all || wanted.contains("cluster")) {
      // CLUSTER SLOTS and friends answer (see ClusterCommands): cluster-aware clients may connect.
      out.append("# Cluster\r\ncluster_enabled:1\r\n\r\n");
    }
    if (all || wanted.contains("raft")) {
      out.append("# Raft\r\nraft_node_id:").append(raft.nodeId())
          .append("\r\nraft_role:").append(raft.role().toLowerCase(Locale.ROOT))
          .append("\r\nraft_term:").append(raft.term())
          .append("\r\nraft_leader_id:").append(raft.leaderId())
          .append("\r\nraft_commit_index:").append(raft.commitIndex())
          .append("\r\nraft_applied_index:").append(raft.appliedIndex())
          .append("\r\nraft_members:").append(String.join(",", raft.peers().keySet()))
          .append("\r\nraft_learners:").append(String.join(",", raft.learners()))
          .append("\r\n\r\n");
    }
    return out.toString();
  }

  private Immediate command(List<byte[]> argv) {
    if (argv.size() == 1) {
      return Immediate.of(Replies.array(CommandCatalog.supported().stream().map(ServerCommands::commandInfo).toList()));
    }
    String sub = Ascii.toUpperCase(Replies.text(argv.get(1)));
    List<String> names = argv.subList(2, argv.size()).stream().map(Replies::text).toList();
    return switch (sub) {
      case "COUNT" -> Immediate.of(Replies.integer(CommandCatalog.supported().size()));
      case "INFO" -> Immediate.of(Replies.array(specs(names).stream()
          .map(spec -> spec.map(ServerCommands::commandInfo).orElse(Replies.NIL)).toList()));
      case "DOCS" -> new Immediate(Replies.array(docs(names)), ReplyShape.MAP, false);
      case "LIST" -> Immediate.of(Replies.bulks(CommandCatalog.supported().stream().map(CommandSpec::lowerName).toList()));
      default -> Immediate.error("ERR unknown subcommand '" + Replies.text(argv.get(1))
          + "'. Redraft supports COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS and COMMAND LIST");
    };
  }

  private static List<Optional<CommandSpec>> specs(List<String> names) {
    if (names.isEmpty()) {
      return CommandCatalog.supported().stream().map(Optional::of).toList();
    }
    return names.stream().map(CommandCatalog::find).toList();
  }

  /** Redis' COMMAND INFO entry: name, arity, flags, first key, last key, step, categories, tips, key specs, subcommands. */
  private static Reply commandInfo(CommandSpec spec) {
    int arity = spec.maxArity() == spec.minArity() ? spec.minArity() : -spec.minArity();
    boolean write = spec.kind() == CommandKind.WRITE;
    List<Reply> flags = new ArrayList<>(List.of(Replies.status(write ? "write" : "readonly")));
    // Keys given by a count or a keyword: Redis' legacy triple is 0 0 0 and the command has "movablekeys".
    KeySpec.Range range = spec.keys() instanceof KeySpec.Range r ? r : new KeySpec.Range(1, 0, 1);
    if (!(spec.keys() instanceof KeySpec.Range)) {
      flags.add(Replies.status("movablekeys"));
    }
    boolean noKeys = range.last() != -1 && range.last() < range.first();
    return Replies.array(List.of(
        Replies.bulk(spec.lowerName()),
        Replies.integer(arity),
        Replies.array(flags),
        Replies.integer(noKeys ? 0 : range.first()),
        Replies.integer(noKeys ? 0 : range.last()),
        Replies.integer(noKeys ? 0 : range.step()),
        Replies.array(List.of(Replies.status(write ? "@write" : "@read"))),
        Replies.array(List.of()),
        Replies.array(List.of()),
        Replies.array(List.of())));
  }

  /** COMMAND DOCS: name -> {summary, since, group}; redis-cli falls back to its own hints for the arguments. */
  private static List<Reply> docs(List<String> names) {
    List<Reply> out = new ArrayList<>();
    for (Optional<CommandSpec> found : specs(names)) {
      if (found.isEmpty()) {
        continue;
      }
      CommandSpec spec = found.get();
      out.add(Replies.bulk(spec.lowerName()));
      out.add(Replies.array(List.of(
          Replies.bulk("summary"), Replies.bulk(spec.summary()),
          Replies.bulk("since"), Replies.bulk("1.0.0"),
          Replies.bulk("group"), Replies.bulk(spec.kind() == CommandKind.WRITE ? "write" : "read"))));
    }
    return out;
  }

  /** The settings clients read at connect time; the values describe what Redraft does. */
  private Immediate config(List<byte[]> argv) {
    if (argv.size() < 2) {
      return ConnectionCommands.arity("CONFIG");
    }
    String sub = Ascii.toUpperCase(Replies.text(argv.get(1)));
    if (!sub.equals("GET")) {
      return Immediate.error("ERR CONFIG " + sub + " is not supported by Redraft: change the coordinator's"
          + " configuration (redraft.conf) and restart the node instead");
    }
    if (argv.size() < 3) {
      return Immediate.error("ERR wrong number of arguments for 'config|get' command");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("databases", "1");
    settings.put("appendonly", "no");
    settings.put("save", "");
    settings.put("cluster-enabled", "no");
    settings.put("timeout", "0");
    settings.put("maxmemory", "0");
    settings.put("port", Integer.toString(context.port));
    settings.put("proto-max-bulk-len", Integer.toString(context.maxRequestBytes));
    List<Reply> pairs = new ArrayList<>();
    for (byte[] patternBytes : argv.subList(2, argv.size())) {
      Pattern pattern = glob(Replies.text(patternBytes));
      settings.forEach((key, value) -> {
        if (pattern.matcher(key).matches() && !pairs.contains(Replies.bulk(key))) {
          pairs.add(Replies.bulk(key));
          pairs.add(Replies.bulk(value));
        }
      });
    }
    return new Immediate(Replies.array(pairs), ReplyShape.MAP, false);
  }

  /** Redis' glob (* and ?; other characters literal) as a regular expression, case-insensitive as CONFIG GET is. */
  private static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
  }
}
