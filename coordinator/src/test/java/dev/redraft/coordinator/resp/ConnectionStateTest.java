package dev.redraft.coordinator.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.security.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionStateTest {
  @Test
  void aSessionIsStampedAtItsFirstWriteAndARenewedSessionGetsANewId() {
    ConnectionState state = new ConnectionState(7, "resp-n1-abc", "127.0.0.1:1", "127.0.0.1:2", Role.READWRITE);
    long before = System.currentTimeMillis();
    String id = state.sessionId(0);
    long after = System.currentTimeMillis();

    assertThat(id).startsWith("resp-n1-abc-7-0@");
    assertThat(Long.parseLong(id.substring(id.indexOf('@') + 1))).isBetween(before, after);
    state.nextSequence(0);
    assertThat(state.sessionId(0)).as("the same id for every write of the session").isEqualTo(id);

    state.renewSession(0);
    assertThat(state.sessionId(0)).startsWith("resp-n1-abc-7-1@").isNotEqualTo(id);
    assertThat(state.nextSequence(0)).isEqualTo(1);
  }

  @Test
  void inAShardedClusterEachGroupHasItsOwnSessionOpenedAtItsFirstWriteFromSequenceOne() {
    ConnectionState state = new ConnectionState(7, "resp-n1-abc", "127.0.0.1:1", "127.0.0.1:2", Role.READWRITE);
    String group0 = state.sessionId(0);
    assertThat(state.nextSequence(0)).isEqualTo(1);
    assertThat(state.nextSequence(0)).isEqualTo(2);
    // The clock moves past group 0's stamp, so a stamp of that moment would be older than `before`.
    long group0Stamp = Long.parseLong(group0.substring(group0.indexOf('@') + 1));
    await().atMost(Duration.ofSeconds(1)).until(() -> System.currentTimeMillis() > group0Stamp);
    long before = System.currentTimeMillis();
    String group2 = state.sessionId(2);
    assertThat(group2).startsWith("resp-n1-abc-7-0-g2@").isNotEqualTo(group0);
    assertThat(Long.parseLong(group2.substring(group2.indexOf('@') + 1))).as("stamped when opened")
        .isGreaterThanOrEqualTo(before);
    assertThat(state.nextSequence(2)).as("its own sequence").isEqualTo(1);
    state.renewSession(2);
    assertThat(state.sessionId(0)).as("group 0's session is untouched").isEqualTo(group0);
    assertThat(state.nextSequence(0)).isEqualTo(3);
  }
}
