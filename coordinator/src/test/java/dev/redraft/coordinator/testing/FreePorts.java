package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for test servers, handed out once each per JVM from 10000-19999: below the
 * kernel's ephemeral range (32768-60999 here), where the many outgoing connections of a test
 * cluster get their local ports, so a port picked now is not taken by a client socket before the
 * server binds it (seen once as "Address already in use"); and below cluster.sh's 20000-31990.
 */
public final class FreePorts {
  private static final int FIRST = 10_000;
  private static final int COUNT = 10_000;
  /** A random start, so separate JVMs (surefire, failsafe, a second build) rarely meet. */
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

  private FreePorts() {}

  public static int next() {
    for (int attempt = 0; attempt < COUNT; attempt++) {
      int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in " + FIRST + ".." + (FIRST + COUNT - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
