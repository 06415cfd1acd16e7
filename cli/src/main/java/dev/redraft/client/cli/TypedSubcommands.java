package dev.redraft.client.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One subcommand per catalog command (besides SET, which has flags): a table of name, read or
 * write, arguments and arity. Each sends the command of the same name with its arguments as given;
 * the server checks them.
 */
final class TypedSubcommands {
  private record Entry(String name, boolean read, String params, String arity, String description) {}

  private static Entry read(String name, String params, String arity, String description) {
    return new Entry(name, true, params, arity, description);
  }

  private static Entry write(String name, String params, String arity, String description) {
    return new Entry(name, false, params, arity, description);
  }

  private static final List<Entry> TABLE = List.of(
      read("get", "KEY", "1", "Get the value of a key, (nil) if there is none."),
      read("watch", "KEY...", "1..*", "Each key's digest (for a batch that runs only if none changed)."),
      read("mget", "KEY...", "1..*", "Get the values of several keys."),
      write("del", "KEY...", "1..*", "Delete keys; prints how many existed."),
      read("exists", "KEY...", "1..*", "Count how many of the keys exist."),
      write("incr", "KEY", "1", "Add 1 to an integer value."),
      write("incrby", "KEY INCREMENT", "2", "Add an integer to an integer value."),
      write("decr", "KEY", "1", "Subtract 1 from an integer value."),
      write("decrby", "KEY DECREMENT", "2", "Subtract an integer from an integer value."),
      write("append", "KEY VALUE", "2", "Append to a string value; prints the new length."),
      read("strlen", "KEY", "1", "Length of a string value."),
      write("mset", "KEY VALUE [KEY VALUE ...]", "2..*", "Set several keys at once."),
      write("expire", "KEY SECONDS [NX|XX|GT|LT]", "2..3", "Set a time to live in seconds."),
      write("pexpire", "KEY MILLISECONDS [NX|XX|GT|LT]", "2..3", "Set a time to live in milliseconds."),
      write("expireat", "KEY UNIX-SECONDS [NX|XX|GT|LT]", "2..3", "Expire at a Unix time in seconds."),
      write("pexpireat", "KEY UNIX-MILLISECONDS [NX|XX|GT|LT]", "2..3", "Expire at a Unix time in ms."),
      write("persist", "KEY", "1", "Remove a key's time to live."),
      read("ttl", "KEY", "1", "Time to live in seconds (-1: none, -2: no such key)."),
      read("pttl", "KEY", "1", "Time to live in milliseconds (-1: none, -2: no such key)."),
      write("hset", "KEY FIELD VALUE [FIELD VALUE ...]", "3..*", "Set hash fields; prints how many are new."),
      read("hget", "KEY FIELD", "2", "Get a hash field."),
      read("hgetall", "KEY", "1", "Get every field and value of a hash."),
      write("hdel", "KEY FIELD...", "2..*", "Delete hash fields."),
      write("hincrby", "KEY FIELD INCREMENT", "3", "Add an integer to a hash field."),
      read("hlen", "KEY", "1", "Number of fields in a hash."),
      write("lpush", "KEY VALUE...", "2..*", "Prepend values to a list; prints its new length."),
      write("rpush", "KEY VALUE...", "2..*", "Append values to a list; prints its new length."),
      write("lpop", "KEY [COUNT]", "1..2", "Remove and print the first element(s) of a list."),
      write("rpop", "KEY [COUNT]", "1..2", "Remove and print the last element(s) of a list."),
      read("lrange", "KEY START STOP", "3", "Elements from START to STOP, inclusive (0 -1: all)."),
      read("llen", "KEY", "1", "Length of a list."),
      write("ltrim", "KEY START STOP", "3", "Keep only the elements from START to STOP."),
      write("sadd", "KEY MEMBER...", "2..*", "Add members to a set; prints how many are new."),
      write("srem", "KEY MEMBER...", "2..*", "Remove members from a set."),
      read("smembers", "KEY", "1", "Every member of a set."),
      read("sismember", "KEY MEMBER", "2", "1 if the member is in the set, else 0."),
      read("scard", "KEY", "1", "Number of members of a set."),
      write("zadd", "KEY [NX|XX] [GT|LT] [CH] [INCR] SCORE MEMBER [SCORE MEMBER ...]", "3..*",
          "Add members with scores to a sorted set."),
      write("zrem", "KEY MEMBER...", "2..*", "Remove members from a sorted set."),
      write("zincrby", "KEY INCREMENT MEMBER", "3", "Add to a member's score; prints the new score."),
      read("zrange", "KEY START STOP [BYSCORE|BYLEX] [REV] [LIMIT OFFSET COUNT] [WITHSCORES]", "3..*",
          "Members of a sorted set in a range."),
      read("zscore", "KEY MEMBER", "2", "The score of a member."),
      read("zcard", "KEY", "1", "Number of members of a sorted set."));

  private TypedSubcommands() {}

  static void addTo(CommandLine root) {
    for (Entry entry : TABLE) {
      root.addSubcommand(entry.name(), spec(entry));
    }
  }

  private static CommandSpec spec(Entry entry) {
    TypedSubcommand command = new TypedSubcommand(entry.name().toUpperCase(Locale.ROOT), entry.read());
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
    spec.mixinStandardHelpOptions(true);
    spec.usageMessage().description(entry.description() + " (" + entry.name().toUpperCase(Locale.ROOT)
        + ", sent as a " + (entry.read() ? "read" : "write") + ")");
    spec.addPositional(PositionalParamSpec.builder()
        .paramLabel(entry.params())
        .hideParamSyntax(true)
        .index(positions(entry.arity()))
        .arity(entry.arity())
        .required(true)
        .type(String[].class)
        .description("Passed to Redis as given.")
        .build());
    if (entry.read()) {
      spec.addOption(OptionSpec.builder(StaleOption.NAME).arity("0").type(boolean.class)
          .defaultValue("false").description(StaleOption.DESCRIPTION).build());
    }
    command.spec = spec;
    return spec;
  }

  /**
   * The argument positions the command takes, from its arity: "1" -> "0", "2..3" -> "0..2", "1..*" ->
   * "0..*". Without an upper bound on the index, picocli would take any number of arguments (GET a b)
   * and leave the arity check to the server; with it, extra arguments are a usage error (exit 2).
   */
  static String positions(String arity) {
    String max = arity.contains("..") ? arity.substring(arity.indexOf("..") + 2) : arity;
    return max.equals("*") ? "0..*" : "0.." + (Integer.parseInt(max) - 1);
  }

  /** Runs one table entry. */
  private static final class TypedSubcommand implements Callable<Integer> {
    private final String redisName;
    private final boolean read;
    private CommandSpec spec;

    TypedSubcommand(String redisName, boolean read) {
      this.redisName = redisName;
      this.read = read;
    }

    @Override
    public Integer call() {
      String[] args = spec.positionalParameters().get(0).getValue();
      boolean stale = read && Boolean.TRUE.equals(spec.findOption(StaleOption.NAME).getValue());
      return CommandSender.send(spec, redisName, List.of(args), read, stale);
    }
  }
}
