package dev.redraft.coordinator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.redraft.coordinator.config.LogFormat;
import java.net.URL;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies the node's log settings (keys {@code log-format}, {@code log-level}) once its
 * configuration is read: reloads Logback from {@code logback-text.xml} or {@code logback-json.xml}
 * with the node id as the context property {@code node}, so every line names its node. Events of
 * java.util.logging (gRPC's, also the copy inside Ratis) come here too, instead of to stderr in JUL's own
 * two-line format, which a JSON log would not parse.
 */
public final class LogSetup {
  private LogSetup() {}

  public static void apply(String nodeId, LogFormat format, String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J provider: its own configuration applies
    }
    String resource = format == LogFormat.JSON ? "/logback-json.xml" : "/logback-text.xml";
    URL url = LogSetup.class.getResource(resource);
    if (url == null) {
      throw new IllegalStateException("missing " + resource + " in the jar");
    }
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    context.reset();
    context.setName(nodeId);
    context.putProperty("node", nodeId);
    context.putProperty("level", Level.toLevel(level, Level.INFO).toString());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(url);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging from " + resource + ": " + e.getMessage(), e);
    }
  }
}
