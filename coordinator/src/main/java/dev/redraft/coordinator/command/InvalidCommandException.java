package dev.redraft.coordinator.command;

import java.util.Objects;

/**
 * A command refused before it entered the Raft log: nothing was changed. The message is a
 * Redis-style error ("ERR ...") that says what is wrong and what to do instead.
 */
public final class InvalidCommandException extends RuntimeException {

  /** Why a command was refused. */
  public enum Reason {
    /** Not a command Redraft knows. */
    UNKNOWN_COMMAND,
    /** A Redis command Redraft deliberately does not run (nondeterministic, admin, blocking...). */
    REFUSED_COMMAND,
    /** Too few or too many arguments, or an unpaired key/value list. */
    WRONG_ARITY,
    /** The arguments do not parse: bad option, non-integer number, invalid expire time. */
    SYNTAX,
    /** A key in Redraft's own namespace. */
    RESERVED_KEY,
    /** An argument, or the number of arguments, over the configured limit. */
    TOO_LARGE,
    /** A read sent as a write, or a write sent as a read. */
    WRONG_KIND
  }

  private final Reason reason;

  public InvalidCommandException(Reason reason, String message) {
    // A refusal is a reply to bad input, not a fault: no stack trace to fill in.
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
