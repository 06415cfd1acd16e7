package dev.redraft.coordinator.resp;

import dev.redraft.coordinator.command.Ascii;

/**
 * How a reply is typed in RESP3, where Redis 7 gives some commands maps, sets or doubles instead of
 * RESP2's flat arrays and bulk strings. RESP2 connections always get the plain form.
 */
enum ReplyShape {
  PLAIN,
  /** A flat array of key, value, key, value...: a map in RESP3. */
  MAP,
  /** An array of distinct members: a set in RESP3. */
  SET,
  /** A bulk string holding a number: a double in RESP3. */
  DOUBLE,
  /** An array of numbers as bulk strings (nil for missing members): doubles in RESP3. */
  DOUBLES;

  /** The RESP3 shape of a data command's reply, from its upper-case name. */
  static ReplyShape ofCommand(String name) {
    return switch (Ascii.toUpperCase(name)) {
      case "HGETALL" -> MAP;
      case "SMEMBERS", "SINTER", "SUNION", "SDIFF" -> SET;
      case "ZSCORE", "ZINCRBY" -> DOUBLE;
      case "ZMSCORE" -> DOUBLES;
      default -> PLAIN;
    };
  }
}
