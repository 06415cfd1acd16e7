package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Reply;

/** A reply the RESP port gives without the log or Redis; {@code close}: the connection ends after it. */
record Immediate(Reply reply, ReplyShape shape, boolean close) implements RespCommands.Step {
  static Immediate of(Reply reply) {
    return new Immediate(reply, ReplyShape.PLAIN, false);
  }

  static Immediate error(String message) {
    return of(Replies.error(message));
  }
}
