package dev.redraft.coordinator;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.logging.LogSetup;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of a coordinator node: {@code java -jar redraft-coordinator.jar --help}. */
public final class CoordinatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorMain.class);

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
    } catch (Exception e) {
      LOG.error("node {} failed to start: {}", config.nodeId(), e.getMessage(), e);
      System.err.println("redraft-coordinator: node " + config.nodeId() + " failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "redraft-shutdown"));
    stopped.await();
  }
}
