package dev.redraft.client.cli;

/** The --stale flag shared by every read subcommand. */
final class StaleOption {
  static final String NAME = "--stale";
  static final String DESCRIPTION = "Read the answering node's Redis as it is now: fast and never blocks "
      + "on the leader, but may miss recent writes. Default: linearizable.";

  private StaleOption() {}
}
