package dev.redraft.client.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code redraft set KEY VALUE [EX S|PX MS|EXAT T|PXAT T|KEEPTTL] [NX|XX] [GET]}: Redis' own words, in
 * any case, as redis-cli takes them; {@code --ex S}, {@code --nx}, ... stay as aliases.
 */
@Command(name = "set", mixinStandardHelpOptions = true,
    description = {"Set a key to a value (SET), with an optional expiry and condition, in Redis' own "
        + "words (any case): set KEY VALUE [EX SECONDS|PX MS|EXAT UNIX-S|PXAT UNIX-MS|KEEPTTL] [NX|XX] "
        + "[GET]. Prints OK, or (nil) if the condition kept it from being set.",
        "The --ex/--px/--exat/--pxat/--keepttl/--nx/--xx/--get flags are aliases of those words."})
final class SetCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE")
  String value;

  @Parameters(index = "2..*", paramLabel = "OPTION", arity = "0..*",
      description = "SET's options as Redis takes them, e.g. EX 100 NX; passed on as given.")
  List<String> redisOptions = new ArrayList<>();

  @ArgGroup(exclusive = true)
  Expiry expiry;

  @ArgGroup(exclusive = true)
  Condition condition;

  @Option(names = "--get", description = "Return the old value instead of OK.")
  boolean get;

  static final class Expiry {
    @Option(names = "--ex", paramLabel = "SECONDS", description = "Expire after this many seconds.")
    Long seconds;

    @Option(names = "--px", paramLabel = "MILLISECONDS", description = "Expire after this many milliseconds.")
    Long millis;

    @Option(names = "--exat", paramLabel = "UNIX-SECONDS", description = "Expire at this Unix time (seconds).")
    Long atSeconds;

    @Option(names = "--pxat", paramLabel = "UNIX-MILLISECONDS", description = "Expire at this Unix time (ms).")
    Long atMillis;

    @Option(names = "--keepttl", description = "Keep the key's current time to live.")
    boolean keepTtl;

    void addTo(List<String> args) {
      if (seconds != null) {
        args.addAll(List.of("EX", seconds.toString()));
      } else if (millis != null) {
        args.addAll(List.of("PX", millis.toString()));
      } else if (atSeconds != null) {
        args.addAll(List.of("EXAT", atSeconds.toString()));
      } else if (atMillis != null) {
        args.addAll(List.of("PXAT", atMillis.toString()));
      } else if (keepTtl) {
        args.add("KEEPTTL");
      }
    }
  }

  static final class Condition {
    @Option(names = "--nx", description = "Only set if the key does not exist.")
    boolean nx;

    @Option(names = "--xx", description = "Only set if the key exists.")
    boolean xx;
  }

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>(List.of(key, value));
    args.addAll(redisOptions);
    if (expiry != null) {
      expiry.addTo(args);
    }
    if (condition != null) {
      args.add(condition.nx ? "NX" : "XX");
    }
    if (get) {
      args.add("GET");
    }
    return CommandSender.send(spec, "SET", args, false, false);
  }
}
