package dev.redraft.coordinator.command;

import java.util.List;

/**
 * Per-command argument checks beyond arity, with Redis 7.0's rules and messages: pairs where Redis
 * wants pairs, integers where Redis parses integers, and the options of SET, EXPIRE, ZADD and
 * ZRANGE. Floating-point scores are left to Redis: its parser (strtod) is not worth imitating, and a
 * bad score fails there without changing anything.
 */
final class ArgumentSyntax {
  private ArgumentSyntax() {}

  /** Throws WRONG_ARITY or SYNTAX if Redis would refuse these arguments before touching data. */
  static void check(CommandSpec spec, List<byte[]> argv) {
    int argc = argv.size();
    switch (spec.name()) {
      case "SET", "GETEX" -> SetArguments.parse(spec, argv);
      case "SETEX", "PSETEX" -> TimedSet.parse(spec, argv);
      case "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT" -> ExpireArguments.parse(spec, argv);
      case "MSET", "MSETNX" -> {
        if (argc % 2 == 0) {
          throw CommandErrors.wrongArity(spec);
        }
      }
      case "HSET", "HMSET" -> {
        if (argc % 2 == 1) {
          throw CommandErrors.wrongArity(spec);
        }
      }
      case "INCRBY" -> CommandErrors.integer(argv.get(2));
      case "DECRBY" -> {
        if (CommandErrors.integer(argv.get(2)) == Long.MIN_VALUE) {
          throw CommandErrors.syntax("ERR decrement would overflow");
        }
      }
      case "HINCRBY" -> CommandErrors.integer(argv.get(3));
      case "LPOP", "RPOP" -> {
        if (argc > 3) {
          throw CommandErrors.wrongArity(spec);
        }
        if (argc == 3) {
          String notPositive = "ERR value is out of range, must be positive";
          if (CommandErrors.integer(argv.get(2), notPositive) < 0) {
            throw CommandErrors.syntax(notPositive);
          }
        }
      }
      case "LRANGE", "LTRIM" -> {
        CommandErrors.integer(argv.get(2));
        CommandErrors.integer(argv.get(3));
      }
      case "ZADD" -> checkZadd(argv);
      case "COPY" -> checkCopy(argv);
      case "OBJECT" -> checkObject(argv);
      case "FLUSHDB", "FLUSHALL" -> {
        if (argc > 2 || (argc == 2 && !Ascii.equalsIgnoreCase(argv.get(1), "ASYNC")
            && !Ascii.equalsIgnoreCase(argv.get(1), "SYNC"))) {
          throw CommandErrors.syntax();
        }
      }
      case "XREAD" -> StreamArguments.checkXread(argv);
      case "LMPOP", "ZMPOP", "SINTERCARD", "ZINTERCARD", "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE",
          "ZINTERSTORE", "ZDIFFSTORE" -> KeyCountArguments.check(spec, argv);
      case "ZRANGE" -> checkZrange(argv);
      default -> {
        // Arity alone decides.
      }
    }
  }

  /** db.c copyCommand: REPLACE, and DB only for database 0 (Redraft has no other). */
  private static void checkCopy(List<byte[]> argv) {
    for (int j = 3; j < argv.size(); j++) {
      if (Ascii.equalsIgnoreCase(argv.get(j), "REPLACE")) {
        continue;
      }
      if (Ascii.equalsIgnoreCase(argv.get(j), "DB") && j + 1 < argv.size()) {
        if (CommandErrors.integer(argv.get(++j)) != 0) {
          throw CommandErrors.syntax("ERR COPY to another database is not supported by Redraft: it"
              + " uses database 0 only; copy within it");
        }
        continue;
      }
      throw CommandErrors.syntax();
    }
  }

  /** Only OBJECT ENCODING key: the other subcommands answer with each replica's own counters. */
  private static void checkObject(List<byte[]> argv) {
    if (!Ascii.equalsIgnoreCase(argv.get(1), "ENCODING")) {
      throw CommandErrors.syntax("ERR OBJECT " + Ascii.quote(argv.get(1)) + " is not supported by"
          + " Redraft: its answer (idle time, frequency, references) differs between replicas; only"
          + " OBJECT ENCODING is");
    }
    if (argv.size() != 3) {
      throw new InvalidCommandException(InvalidCommandException.Reason.WRONG_ARITY,
          "ERR wrong number of arguments for 'object|encoding' command");
    }
  }

  /** t_zset.c zaddGenericCommand: options, then score/member pairs. */
  private static void checkZadd(List<byte[]> argv) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    boolean incr = false;
    int scoreIndex = 2;
    for (; scoreIndex < argv.size(); scoreIndex++) {
      byte[] opt = argv.get(scoreIndex);
      if (Ascii.equalsIgnoreCase(opt, "NX")) {
        nx = true;
      } else if (Ascii.equalsIgnoreCase(opt, "XX")) {
        xx = true;
      } else if (Ascii.equalsIgnoreCase(opt, "GT")) {
        gt = true;
      } else if (Ascii.equalsIgnoreCase(opt, "LT")) {
        lt = true;
      } else if (Ascii.equalsIgnoreCase(opt, "INCR")) {
        incr = true;
      } else if (!Ascii.equalsIgnoreCase(opt, "CH")) {
        break;
      }
    }
    int elements = argv.size() - scoreIndex;
    if (elements == 0 || elements % 2 != 0) {
      throw CommandErrors.syntax();
    }
    if (nx && xx) {
      throw CommandErrors.syntax("ERR XX and NX options at the same time are not compatible");
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      throw CommandErrors.syntax(
          "ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if (incr && elements > 2) {
      throw CommandErrors.syntax("ERR INCR option supports a single increment-element pair");
    }
  }

  /** t_zset.c zrangeGenericCommand: the options after start and stop. */
  private static void checkZrange(List<byte[]> argv) {
    boolean withScores = false;
    boolean rev = false;
    boolean byLex = false;
    boolean byScore = false;
    long limit = -1;
    for (int j = 4; j < argv.size(); j++) {
      byte[] opt = argv.get(j);
      int argsLeft = argv.size() - j - 1;
      if (Ascii.equalsIgnoreCase(opt, "WITHSCORES")) {
        withScores = true;
      } else if (Ascii.equalsIgnoreCase(opt, "LIMIT") && argsLeft >= 2) {
        CommandErrors.integer(argv.get(j + 1));
        limit = CommandErrors.integer(argv.get(j + 2));
        j += 2;
      } else if (!rev && Ascii.equalsIgnoreCase(opt, "REV")) {
        rev = true;
      } else if (!byLex && !byScore && Ascii.equalsIgnoreCase(opt, "BYLEX")) {
        byLex = true;
      } else if (!byLex && !byScore && Ascii.equalsIgnoreCase(opt, "BYSCORE")) {
        byScore = true;
      } else {
        throw CommandErrors.syntax();
      }
    }
    if (limit != -1 && !byLex && !byScore) {
      throw CommandErrors.syntax("ERR syntax error, LIMIT is only supported in combination with"
          + " either BYSCORE or BYLEX");
    }
    if (withScores && byLex) {
      throw CommandErrors.syntax(
          "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
  }
}
