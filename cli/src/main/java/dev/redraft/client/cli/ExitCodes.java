package dev.redraft.client.cli;

/** The tool's exit codes. */
public final class ExitCodes {
  public static final int OK = 0;
  /** Redis answered with an error, a batch was rolled back, or the server refused the request. */
  public static final int COMMAND_FAILED = 1;
  /** Wrong flags or arguments, no endpoints to talk to, or an admin request the server finds malformed. */
  public static final int USAGE = 2;
  /** No answer from the cluster, or a write or admin change whose outcome is unknown. */
  public static final int UNAVAILABLE = 3;

  private ExitCodes() {}
}
