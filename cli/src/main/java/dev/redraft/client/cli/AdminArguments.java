package dev.redraft.client.cli;

/** Checks of admin arguments before anything is sent: a bad one is a usage error (exit code 2). */
final class AdminArguments {
  private AdminArguments() {}

  /** A node id as the coordinator accepts it: letters, digits, '-' and '_'. */
  static String nodeId(String id) {
    if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new CliUsageException(
          "node id '" + id + "' is not valid: use 1 to 64 letters, digits, '-' or '_' (e.g. n4)");
    }
    return id;
  }

  /** A Raft address, host:port with a port of 1..65535. */
  static String raftAddress(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    boolean valid = colon > 0 && colon < address.length() - 1;
    if (valid) {
      String port = address.substring(colon + 1);
      valid = port.length() <= 5 && port.chars().allMatch(Character::isDigit)
          && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535
          && address.substring(0, colon).chars().noneMatch(Character::isWhitespace);
    }
    if (!valid) {
      throw new CliUsageException(
          "Raft address '" + address + "' is not host:port (e.g. 127.0.0.1:20009): give the new node's "
              + "raft-address, not its API address");
    }
    return address;
  }
}
