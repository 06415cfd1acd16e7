package dev.redraft.coordinator.command;

import dev.redraft.coordinator.command.InvalidCommandException.Reason;
import java.util.OptionalLong;

/** The error messages Redis itself gives for the same mistakes, so clients see familiar text. */
final class CommandErrors {
  private CommandErrors() {}

  static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

  static InvalidCommandException wrongArity(CommandSpec spec) {
    return new InvalidCommandException(Reason.WRONG_ARITY,
        "ERR wrong number of arguments for '" + spec.lowerName() + "' command");
  }

  static InvalidCommandException syntax() {
    return syntax("ERR syntax error");
  }

  static InvalidCommandException syntax(String message) {
    return new InvalidCommandException(Reason.SYNTAX, message);
  }

  static InvalidCommandException invalidExpireTime(CommandSpec spec) {
    return syntax("ERR invalid expire time in '" + spec.lowerName() + "' command");
  }

  /** The argument as a 64-bit integer, or a SYNTAX error with Redis' message. */
  static long integer(byte[] arg) {
    return integer(arg, NOT_AN_INTEGER);
  }

  static long integer(byte[] arg, String messageIfNot) {
    OptionalLong value = RedisIntegers.parse(arg);
    if (value.isEmpty()) {
      throw syntax(messageIfNot);
    }
    return value.getAsLong();
  }
}
