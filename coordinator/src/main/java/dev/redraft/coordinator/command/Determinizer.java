package dev.redraft.coordinator.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a validated write mean the same thing on every replica whenever it is applied: relative
 * expiry times become absolute deadlines computed from the leader's logical time for the entry.
 * EXPIRE, PEXPIRE and EXPIREAT become PEXPIREAT; SET's and GETEX's EX, PX and EXAT become PXAT;
 * SETEX and PSETEX become SET ... PXAT. Redis gives the same reply to either form. Every other
 * command is returned unchanged.
 */
public final class Determinizer {
  private Determinizer() {}

  private static final CommandSpec PEXPIREAT = CommandCatalog.find("PEXPIREAT").orElseThrow();
  private static final CommandSpec SET = CommandCatalog.find("SET").orElseThrow();

  /**
   * @param logicalTimeMs the leader's clock (ms since the epoch) fixed for the log entry
   * @throws InvalidCommandException (SYNTAX) if the absolute deadline overflows, as Redis refuses it
   */
  public static ValidatedCommand toDeterministic(ValidatedCommand cmd, long logicalTimeMs) {
    if (logicalTimeMs < 0) {
      throw new IllegalArgumentException(
          "logicalTimeMs must be milliseconds since the epoch, got " + logicalTimeMs);
    }
    String name = cmd.name();
    if (name.equals("SET")) {
      return determinizeSet(cmd, logicalTimeMs);
    }
    if (name.equals("GETEX")) {
      try {
        return determinizeSet(cmd, logicalTimeMs);
      } catch (InvalidCommandException overflow) {
        return cmd; // Redis refuses it only if the key exists: apply.lua hands it over as given
      }
    }
    if (name.equals("SETEX") || name.equals("PSETEX")) {
      return toSetPxat(cmd, logicalTimeMs);
    }
    if (ExpireArguments.isExpireCommand(name) && !name.equals("PEXPIREAT")) {
      return toPexpireat(cmd, logicalTimeMs);
    }
    return cmd;
  }

  /** EXPIRE key time [options] -> PEXPIREAT key deadline [options]. */
  private static ValidatedCommand toPexpireat(ValidatedCommand cmd, long logicalTimeMs) {
    List<byte[]> argv = cmd.argv();
    long deadline = ExpireArguments.parse(cmd.spec(), argv).absoluteMillis(cmd.spec(), logicalTimeMs);
    List<byte[]> rewritten = new ArrayList<>(argv);
    rewritten.set(0, Ascii.bytes(PEXPIREAT.name()));
    rewritten.set(2, Ascii.bytes(Long.toString(deadline)));
    return new ValidatedCommand(PEXPIREAT, rewritten, cmd.keyPositions());
  }

  /** SETEX key seconds value -> SET key value PXAT deadline (PSETEX alike). */
  private static ValidatedCommand toSetPxat(ValidatedCommand cmd, long logicalTimeMs) {
    List<byte[]> argv = cmd.argv();
    long deadline = TimedSet.parse(cmd.spec(), argv).absoluteMillis(cmd.spec(), logicalTimeMs);
    List<byte[]> rewritten = List.of(Ascii.bytes(SET.name()), argv.get(1), argv.get(3), Ascii.bytes("PXAT"),
        Ascii.bytes(Long.toString(deadline)));
    return new ValidatedCommand(SET, rewritten, cmd.keyPositions());
  }

  /**
   * SET|GETEX ... EX|PX|EXAT t ... -> SET|GETEX ... PXAT deadline: every expiry option dropped, one
   * appended.
   */
  private static ValidatedCommand determinizeSet(ValidatedCommand cmd, long logicalTimeMs) {
    List<byte[]> argv = cmd.argv();
    SetArguments parsed = SetArguments.parse(cmd.spec(), argv);
    if (parsed.expiry == SetArguments.Expiry.NONE || parsed.expiry == SetArguments.Expiry.PXAT) {
      return cmd;
    }
    long deadline = parsed.absoluteMillis(cmd.spec(), logicalTimeMs);
    List<byte[]> rewritten = new ArrayList<>(argv.size());
    for (int i = 0; i < argv.size(); i++) {
      if (parsed.expiryOptionIndexes.contains(i)) {
        i++; // and its value
      } else {
        rewritten.add(argv.get(i));
      }
    }
    rewritten.add(Ascii.bytes("PXAT"));
    rewritten.add(Ascii.bytes(Long.toString(deadline)));
    return new ValidatedCommand(cmd.spec(), rewritten, cmd.keyPositions());
  }
}
