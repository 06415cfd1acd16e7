package dev.redraft.coordinator.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A follower's unanswered appends: one line per follower every 10 s, with the count; other lines untouched. */
class RatisRepeatedWarningsTest {
  private static final String TIMED_OUT = "{}: Timed out {}appendEntries, errorCount={}, request={}";
  private static final String TO_N2 = "n3@group-B9661109881A->n2-GrpcLogAppender";

  private final AtomicLong nanos = new AtomicLong();
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Logger appender;

  @BeforeEach
  void logThroughTheFilter() {
    RatisRepeatedWarnings filter = new RatisRepeatedWarnings(nanos::get);
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    lines.setContext(context);
    lines.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(lines);
    appender = context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender");
  }

  @Test
  void aBurstAboutOneFollowerIsOneLineAndTheNextOneCountsWhatWasLeftOut() {
    for (int i = 1; i <= 200; i++) {
      appender.warn(TIMED_OUT, TO_N2, "HEARTBEAT ", i, "AppendEntriesRequest:cid=" + i + ":HEARTBEAT");
    }
    assertThat(messages()).singleElement().asString()
        .startsWith(TO_N2 + ": Timed out HEARTBEAT appendEntries, errorCount=1, request=AppendEntriesRequest:cid=1")
        .contains("did not answer within the Raft request timeout").doesNotContain("left out");

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(RatisRepeatedWarnings.INTERVAL_S) - 1);
    appender.warn(TIMED_OUT, TO_N2, "", 201, "AppendEntriesRequest:cid=201:entry=(t:2, i:1135)");
    assertThat(messages()).as("still within the interval").hasSize(1);

    nanos.incrementAndGet();
    appender.warn(TIMED_OUT, TO_N2, "", 202, "AppendEntriesRequest:cid=202:entry=(t:2, i:1136)");
    assertThat(messages()).hasSize(2);
    assertThat(messages().get(1)).contains("Timed out appendEntries, errorCount=202")
        .contains("200 more such lines about it left out");
  }

  @Test
  void eachFollowerAndEachGroupHasItsOwnLine() {
    for (int i = 0; i < 3; i++) {
      appender.warn(TIMED_OUT, TO_N2, "", i, "r");
      appender.warn(TIMED_OUT, "n3@group-B9661109881A->n1-GrpcLogAppender", "", i, "r");
      appender.warn(TIMED_OUT, "n3@group-CC01->n2-GrpcLogAppender", "", i, "r");
    }
    assertThat(messages()).hasSize(3);
  }

  @Test
  void otherWarningsAndOtherLoggersPassUnchanged() {
    for (int i = 0; i < 3; i++) {
      appender.warn("{}: received INCONSISTENCY reply with nextIndex {}", TO_N2, i);
      context.getLogger("dev.redraft.coordinator.raft.Test").warn(TIMED_OUT, TO_N2, "", i, "r");
    }
    appender.info(TIMED_OUT, TO_N2, "", 1, "r");
    assertThat(messages()).hasSize(7).allSatisfy(line -> assertThat(line).doesNotContain("request timeout"));
  }

  private List<String> messages() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
