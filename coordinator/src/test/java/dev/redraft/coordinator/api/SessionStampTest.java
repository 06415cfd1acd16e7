package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.errors.InvalidRequestException;
import org.junit.jupiter.api.Test;

class SessionStampTest {
  @Test
  void aStampIsTheDigitsAfterTheLastAt() {
    assertThat(SessionStamp.openedAt(SessionStamp.stamp("resp-n1-7-0", 1_733_390_000_000L)))
        .isEqualTo(1_733_390_000_000L);
    assertThat(SessionStamp.openedAt("user@host@42")).isEqualTo(42);
    assertThat(SessionStamp.openedAt("no-stamp")).isEqualTo(-1);
    assertThat(SessionStamp.openedAt("ends-in-at@")).isEqualTo(-1);
    assertThat(SessionStamp.openedAt("not-digits@12x")).isEqualTo(-1);
    assertThat(SessionStamp.openedAt("huge@99999999999999999999999")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anOpeningStampedFarAheadOfTheNodesClockIsRefused() {
    long now = 1_000_000;
    assertThatCode(() -> SessionStamp.checkOpening("c@" + (now + SessionStamp.MAX_AHEAD_MS), now))
        .doesNotThrowAnyException();
    assertThatCode(() -> SessionStamp.checkOpening("c@1", now)).as("old stamps are the apply script's call")
        .doesNotThrowAnyException();
    assertThatCode(() -> SessionStamp.checkOpening("unstamped", now)).doesNotThrowAnyException();
    assertThatThrownBy(() -> SessionStamp.checkOpening("c@" + (now + SessionStamp.MAX_AHEAD_MS + 1), now))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("clock is ahead").hasMessageContaining("not applied");
    assertThatThrownBy(() -> SessionStamp.checkOpening("c@99999999999999999999999", now))
        .isInstanceOf(InvalidRequestException.class);
  }
}
