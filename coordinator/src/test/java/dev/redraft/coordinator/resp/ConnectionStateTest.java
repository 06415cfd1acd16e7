package dev.redraft.coordinator.resp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.security.Role;
import org.junit.jupiter.api.Test;

class ConnectionStateTest {
  @Test
  void aSessionIsStampedAtItsFirstWriteAndARenewedSessionGetsANewId() {
    ConnectionState state = new ConnectionState(7, "resp-n1-abc", "127.0.0.1:1", "127.0.0.1:2", Role.READWRITE);
    long before = System.currentTimeMillis();
    String id = state.sessionId();
    long after = System.currentTimeMillis();

    assertThat(id).startsWith("resp-n1-abc-7-0@");
    assertThat(Long.parseLong(id.substring(id.indexOf('@') + 1))).isBetween(before, after);
    state.nextSequence();
    assertThat(state.sessionId()).as("the same id for every write of the session").isEqualTo(id);

    state.renewSession();
    assertThat(state.sessionId()).startsWith("resp-n1-abc-7-1@").isNotEqualTo(id);
    assertThat(state.nextSequence()).isEqualTo(1);
  }
}
