package dev.redraft.coordinator.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.redraft.coordinator.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
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
   * Ratis' warnings whose exception only reports a known state (here a peer without the group, as while
   * groups are added node by node) are one line naming the exception and what it means, a burst of them
   * one line, and no stack trace; any other exception keeps its trace.
   */
  @Test
  void ratisWarningsAboutExpectedStatesAreOneLineWithoutAStackTrace() {
    for (LogFormat format : LogFormat.values()) {
      String[] output = new String[1];
      List<String> lines = capture(format, "INFO", () -> {
        // A Ratis logger of this test's own: a Ratis server of an earlier test class, still stopping, could
        // use up the real appender's throttle.
        org.slf4j.Logger appender = LoggerFactory.getLogger("org.apache.ratis.test.ExpectedStates.GrpcLogAppender");
        for (int i = 0; i < 5; i++) {
          appender.warn("{}: Failed appendEntries", "n1@group-AB->n3-GrpcLogAppender",
              new CompletionException(new GroupMismatchException("n3: group-AB not found.")));
        }
      }, output);
      assertThat(lines).as(format.name()).singleElement().asString()
          .contains("WARN").contains("n1@group-AB->n3-GrpcLogAppender: Failed appendEntries")
          .contains("GroupMismatchException: n3: group-AB not found.").contains("does not host this Raft group");
      assertThat(output[0]).as("no stack trace (" + format + ")").doesNotContain("LogSetupTest");

      lines = capture(format, "INFO", () -> LoggerFactory.getLogger("org.apache.ratis.server.impl.RaftServerImpl")
          .warn("n1: something else failed", new IllegalStateException("broken")), output);
      assertThat(lines).as(format.name()).singleElement().asString().contains("n1: something else failed");
      assertThat(output[0]).as("the stack trace of another exception (" + format + ")")
          .contains("IllegalStateException").contains("broken").contains("LogSetupTest");
    }
  }

  /** A leader's warnings about a follower that leaves its appends unanswered: a burst is one line, in either format. */
  @Test
  void ratisTimedOutAppendsToOneFollowerAreOneLine() {
    for (LogFormat format : LogFormat.values()) {
      List<String> lines = capture(format, "INFO", () -> {
        org.slf4j.Logger appender = LoggerFactory.getLogger("org.apache.ratis.test.RepeatedWarnings.GrpcLogAppender");
        for (int i = 1; i <= 50; i++) {
          appender.warn("{}: Timed out {}appendEntries, errorCount={}, request={}", "n1@group-AB->n9-GrpcLogAppender",
              "HEARTBEAT ", i, "AppendEntriesRequest:cid=" + i);
        }
      }, new String[1]);
      assertThat(lines).as(format.name()).singleElement().asString().contains("WARN")
          .contains("n1@group-AB->n9-GrpcLogAppender: Timed out HEARTBEAT appendEntries, errorCount=1,")
          .contains("did not answer within the Raft request timeout");
    }
  }

  /**
   * gRPC logs through java.util.logging (so does the copy inside Ratis): its events are lines of the node's
   * log in its format, at the levels the node's configuration sets, not JUL's own lines on stderr.
   */
  @Test
  void javaUtilLoggingEventsAreLinesOfTheNodesLog() {
    java.io.PrintStream stderr = System.err;
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    try {
      for (LogFormat format : LogFormat.values()) {
        List<String> lines = capture(format, "INFO", () -> {
          java.util.logging.Logger.getLogger("io.grpc.internal.TestChannel").warning("channel broke: reconnecting");
          java.util.logging.Logger.getLogger("io.grpc.internal.TestChannel").info("below the WARN set for io.grpc");
          java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc.netty.TcpMetrics")
              .info("Epoll available during static init of TcpMetrics:true");
        }, new String[1]);
        assertThat(lines).as(format.name()).singleElement().asString()
            .contains("WARN").contains("channel broke: reconnecting").contains(format == LogFormat.JSON ? "\"node\":\"n7\"" : "node=n7");
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(errors.toString(StandardCharsets.UTF_8)).as("JUL's own console output").isEmpty();
  }

  /**
   * Configures logging, logs one INFO event from Redraft and one from Ratis, returns the lines of this
   * thread that reached stdout.
   */
  private List<String> capture(LogFormat format, String level) {
    return capture(format, level, () -> {
      LoggerFactory.getLogger("dev.redraft.coordinator.raft.Test").info("node {}: leader is now {} (term {})",
          "n7", "n2", 4);
      LoggerFactory.getLogger("org.apache.ratis.server.RaftServerConfigKeys").info("raft.server.x = y (default)");
    }, new String[1]);
  }

  /**
   * Configures logging, runs {@code log}, returns the lines of this thread that reached stdout (Ratis servers
   * of other test classes in this JVM may still be stopping, and their threads' warnings would land in the
   * same buffer), and everything that did in {@code output[0]}.
   */
  private List<String> capture(LogFormat format, String level, Runnable log, String[] output) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      LogSetup.apply("n7", format, level);
      log.run();
    } finally {
      System.setOut(stdout);
    }
    output[0] = buffer.toString(StandardCharsets.UTF_8);
    String thread = Thread.currentThread().getName();
    return output[0].lines()
        .filter(l -> l.contains("[" + thread + "]") || l.contains("\"threadName\":\"" + thread + "\"")).toList();
  }
}
