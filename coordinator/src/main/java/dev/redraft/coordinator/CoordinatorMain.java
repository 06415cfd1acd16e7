package dev.redraft.coordinator;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.logging.LogSetup;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of a coordinator node: {@code java -jar redraft-coordinator.jar --help}. */
public final class CoordinatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorMain.class);

  /** A stop (SIGTERM) completes within this, in every state: then the JVM is halted. */
  static final long STOP_BOUND_MS = 8_000;

  private CoordinatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(ConfigLoader.help());
      return;
    }
    NodeConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("redraft-coordinator: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogSetup.apply(config.nodeId(), config.logFormat(), config.logLevel());
    CoordinatorNode node;
    try {
      node = CoordinatorNode.start(config);
    } catch (ConfigException e) {
      // Found at start (a TLS file that is missing, unreadable or wrong): one line, no stack trace.
      LOG.error("node {} failed to start: configuration error: {}", config.nodeId(), e.getMessage());
      System.err.println("redraft-coordinator: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      LOG.error("node {} failed to start: {}", config.nodeId(), e.getMessage(), e);
      System.err.println("redraft-coordinator: node " + config.nodeId() + " failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Thread watchdog = new Thread(() -> haltIfNotStopped(config.nodeId(), stopped),
          "redraft-shutdown-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      LOG.info("node {} stopping (signal or exit)", config.nodeId());
      node.close();
      stopped.countDown();
    }, "redraft-shutdown"));
    stopped.await();
  }

  /**
   * The last resort of a bounded shutdown: if stopping the node takes longer than {@link #STOP_BOUND_MS}
   * (something waits for a peer or a Redis that does not answer), log where it is stuck and halt the
   * JVM. Everything acknowledged is in the Raft log on disk already; the next start replays it.
   */
  private static void haltIfNotStopped(String nodeId, CountDownLatch stopped) {
    try {
      if (stopped.await(STOP_BOUND_MS, TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    StringBuilder stuck = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.getName().startsWith("redraft-shutdown") && thread != Thread.currentThread()) {
        stuck.append(" [").append(thread.getName()).append(" at ");
        for (int i = 0; i < Math.min(stack.length, 8); i++) {
          stuck.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        stuck.append(']');
      }
    });
    LOG.error("node {} did not stop within {} ms; halting the JVM now (the Raft log on disk keeps everything "
        + "acknowledged). Stuck:{}", nodeId, STOP_BOUND_MS, stuck);
    System.err.println("redraft-coordinator: node " + nodeId + " did not stop within " + STOP_BOUND_MS
        + " ms; halting");
    System.err.flush();
    Runtime.getRuntime().halt(1);
  }
}
