package dev.redraft.client.cli;

/** The redraft command-line tool. */
public final class RedraftCli {
  private RedraftCli() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("not yet wired");
  }
}
