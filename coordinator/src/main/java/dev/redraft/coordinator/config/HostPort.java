package dev.redraft.coordinator.config;

/** A host and a port, written {@code host:port}. */
public record HostPort(String host, int port) {

  /** True for a loopback host: 127.x.y.z, ::1 or localhost (only this machine can reach it). */
  public static boolean isLoopback(String host) {
    return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
  }

  public static HostPort parse(String key, String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new ConfigException(key + ": '" + value + "' is not host:port (e.g. 127.0.0.1:7001)");
    }
    String host = value.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": port in '" + value + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new ConfigException(key + ": port " + port + " is out of range 1..65535");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
