package dev.redraft.coordinator.command;

/** Whether a command only reads (served through ReadIndex) or writes (ordered by the Raft log). */
public enum CommandKind {
  READ,
  WRITE
}
