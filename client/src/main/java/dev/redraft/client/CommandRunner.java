package dev.redraft.client;

import dev.redraft.api.v1.Command;

/** Sends commands: the two calls every typed helper is built on. */
public interface CommandRunner {
  /** One write, or several as one atomic batch. */
  WriteResult write(Command... commands);

  /** One linearizable read. */
  ReadResult read(Command command);
}
