package dev.redraft.coordinator.command;

import dev.redraft.coordinator.command.InvalidCommandException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a client's command before it enters the Raft log, so that a refused command changes
 * nothing: known and supported, within the size limits, sent as the right kind, right arity, valid
 * arguments, and no key in Redraft's reserved namespace.
 */
public final class CommandValidator {

  /** Keys Redraft keeps its own state under (applied index, sessions) in each Redis. */
  public static final String RESERVED_KEY_PREFIX = "__redraft:";

  private static final byte[] RESERVED_PREFIX_BYTES =
      RESERVED_KEY_PREFIX.getBytes(StandardCharsets.US_ASCII);

  private final Limits limits;

  public CommandValidator(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Validates one command.
   *
   * @param name the command name, any ASCII case
   * @param args the arguments after the name
   * @param expected READ if it came through the read path, WRITE if through the write path
   * @throws InvalidCommandException if the command must not run
   */
  public ValidatedCommand validate(String name, List<byte[]> args, CommandKind expected) {
    Objects.requireNonNull(expected, "expected");
    CommandSpec spec = lookUp(Objects.requireNonNull(name, "name"));
    checkSizes(spec, Objects.requireNonNull(args, "args"));
    checkKind(spec, expected);
    return check(spec, args);
  }

  /**
   * Validates one command of a Write of {@code batchSize} commands. A batch of two or more may hold
   * reads, answered at the entry's position in the log (as MULTI/EXEC does), except reads whose
   * reply differs between replicas: every replica stores the replies it gives, and they are
   * compared. A read alone is refused (send it with Read: it needs no log entry), and so is a flush
   * in a batch (a failing batch is undone key by key, and a flush cannot be).
   */
  public ValidatedCommand validateInWrite(String name, List<byte[]> args, int batchSize) {
    CommandSpec spec = lookUp(Objects.requireNonNull(name, "name"));
    checkSizes(spec, Objects.requireNonNull(args, "args"));
    if (batchSize < 2) {
      checkKind(spec, CommandKind.WRITE);
    } else if (spec.kind() == CommandKind.READ && spec.replyVaries()) {
      throw new InvalidCommandException(Reason.WRONG_KIND, "ERR " + spec.name() + " cannot be part of a"
          + " write batch: its reply (order or random pick) may differ between replicas, which each store"
          + " it; send it with Read");
    } else if (spec.name().startsWith("FLUSH")) {
      throw new InvalidCommandException(Reason.WRONG_KIND, "ERR " + spec.name() + " cannot be part of a"
          + " write batch: a failing batch is undone key by key and a flush cannot be; send it alone");
    }
    return check(spec, args);
  }

  private ValidatedCommand check(CommandSpec spec, List<byte[]> args) {
    List<byte[]> argv = new ArrayList<>(args.size() + 1);
    argv.add(spec.name().getBytes(StandardCharsets.US_ASCII));
    for (byte[] arg : args) {
      argv.add(Objects.requireNonNull(arg, "argument"));
    }
    if (!spec.acceptsArgc(argv.size())) {
      throw CommandErrors.wrongArity(spec);
    }
    ArgumentSyntax.check(spec, argv);
    int[] keyPositions = spec.keys().positions(argv);
    checkKeys(argv, keyPositions);
    checkPatterns(spec, argv);
    return new ValidatedCommand(spec, argv, keyPositions);
  }

  private static CommandSpec lookUp(String name) {
    if (name.isBlank()) {
      throw new InvalidCommandException(Reason.UNKNOWN_COMMAND,
          "ERR empty command name: give a command such as GET or SET");
    }
    Optional<CommandSpec> spec = CommandCatalog.find(name);
    if (spec.isPresent()) {
      return spec.get();
    }
    Optional<String> refusal = CommandCatalog.refusalReason(name);
    if (refusal.isPresent()) {
      throw new InvalidCommandException(Reason.REFUSED_COMMAND, "ERR " + refusal.get());
    }
    throw new InvalidCommandException(Reason.UNKNOWN_COMMAND,
        "ERR unknown command '" + Ascii.quote(name)
            + "': Redraft runs only the commands in its catalog (see the supported command list)");
  }

  private void checkSizes(CommandSpec spec, List<byte[]> args) {
    if (args.size() > limits.maxArgs()) {
      throw new InvalidCommandException(Reason.TOO_LARGE,
          "ERR too many arguments for '" + spec.lowerName() + "': " + args.size()
              + ", the limit is " + limits.maxArgs() + "; split it into several commands");
    }
    for (int i = 0; i < args.size(); i++) {
      byte[] arg = args.get(i);
      if (arg != null && arg.length > limits.maxArgBytes()) {
        throw new InvalidCommandException(Reason.TOO_LARGE,
            "ERR argument " + (i + 1) + " of '" + spec.lowerName() + "' is " + arg.length
                + " bytes, the limit is " + limits.maxArgBytes() + " bytes per argument");
      }
    }
  }

  private static void checkKind(CommandSpec spec, CommandKind expected) {
    if (spec.kind() == expected) {
      return;
    }
    String message = spec.kind() == CommandKind.READ
        ? "ERR " + spec.name() + " is a read: send it with Read"
        : "ERR " + spec.name() + " is a write: send it with Write";
    throw new InvalidCommandException(Reason.WRONG_KIND, message);
  }

  private static void checkKeys(List<byte[]> argv, int[] keyPositions) {
    for (int position : keyPositions) {
      if (isReserved(argv.get(position))) {
        throw reservedKey();
      }
    }
  }

  /**
   * KEYS and SCAN name no keys but may match Redraft's: the scripts hide those from the reply, and a
   * pattern that can only match them is refused as a reserved key would be.
   */
  private static void checkPatterns(CommandSpec spec, List<byte[]> argv) {
    if (spec.name().equals("KEYS") && isReserved(argv.get(1))) {
      throw reservedKey();
    }
  }

  private static InvalidCommandException reservedKey() {
    return new InvalidCommandException(Reason.RESERVED_KEY,
        "ERR keys starting with " + RESERVED_KEY_PREFIX
            + " are reserved for Redraft's own state: choose another key name");
  }

  /** True if the key is in Redraft's own namespace. */
  public static boolean isReserved(byte[] key) {
    if (key.length < RESERVED_PREFIX_BYTES.length) {
      return false;
    }
    for (int i = 0; i < RESERVED_PREFIX_BYTES.length; i++) {
      if (key[i] != RESERVED_PREFIX_BYTES[i]) {
        return false;
      }
    }
    return true;
  }
}
