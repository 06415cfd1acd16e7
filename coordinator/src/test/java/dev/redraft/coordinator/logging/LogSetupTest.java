package dev.redraft.coordinator.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.redraft.coordinator.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** log-format and log-level: one line per event, naming the node, as text or as JSON; Ratis kept quiet. */
class LogSetupTest {
  private final PrintStream stdout = System.out;

  @AfterEach
  void restoreDefaultLogging() throws Exception {
    System.setOut(stdout);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void jsonFormatWritesOneObjectPerLineWithTheNodeId() {
    List<String> lines = capture(LogFormat.JSON, "INFO");
    assertThat(lines).hasSize(1);
    String line = lines.get(0);
    assertThat(line).startsWith("{").endsWith("}")
        .contains("\"level\":\"INFO\"")
        .contains("\"formattedMessage\":\"node n7: leader is now n2 (term 4)\"")
        .contains("\"node\":\"n7\"");
  }

  @Test
  void textFormatNamesTheNodeOnEveryLineAndHonoursTheLevel() {
    List<String> lines = capture(LogFormat.TEXT, "WARN");
    assertThat(lines).isEmpty();
    lines = capture(LogFormat.TEXT, "INFO");
    assertThat(lines).singleElement().asString()
        .contains("INFO").contains("node=n7").contains("node n7: leader is now n2 (term 4)");
  }

  /**
   * Configures logging, logs one INFO event from Redraft and one from Ratis, returns the lines of this
   * thread that reached stdout (Ratis servers of other test classes in this JVM may still be stopping, and
   * their threads' warnings would land in the same buffer).
   */
  private List<String> capture(LogFormat format, String level) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      LogSetup.apply("n7", format, level);
      LoggerFactory.getLogger("dev.redraft.coordinator.raft.Test").info("node {}: leader is now {} (term {})",
          "n7", "n2", 4);
      LoggerFactory.getLogger("org.apache.ratis.server.RaftServerConfigKeys").info("raft.server.x = y (default)");
    } finally {
      System.setOut(stdout);
    }
    String thread = Thread.currentThread().getName();
    return buffer.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("[" + thread + "]") || l.contains("\"threadName\":\"" + thread + "\"")).toList();
  }
}
