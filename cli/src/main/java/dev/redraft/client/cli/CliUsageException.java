package dev.redraft.client.cli;

/** The tool cannot run as invoked (no endpoints, a malformed flag value): exit code 2. */
final class CliUsageException extends RuntimeException {
  CliUsageException(String message) {
    super(message);
  }
}
