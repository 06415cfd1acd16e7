package dev.redraft.client.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {
  private static final OperationMix SET = OperationMix.parse("set");

  @Test
  void rejectsOutOfRangeValuesNamingTheOption() {
    assertThatThrownBy(() -> settings(List.of(0), 100, 10)).hasMessageContaining("--clients");
    assertThatThrownBy(() -> settings(List.of(), 100, 10)).hasMessageContaining("--clients");
    assertThatThrownBy(() -> settings(List.of(1), 0, 10)).hasMessageContaining("--value-size");
    assertThatThrownBy(() -> settings(List.of(1), 100, 0)).hasMessageContaining("--keys");
    assertThatThrownBy(() -> new LoadSettings(List.of(1), 100, 10, SET, 10, Duration.ZERO, 0, Duration.ZERO, 1))
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> new LoadSettings(List.of(1), 100, 10, SET, 10, Duration.ofSeconds(1), 0,
        Duration.ZERO, 0)).hasMessageContaining("--repeat");
    assertThatThrownBy(() -> new LoadSettings(List.of(1), 100_000, 10, OperationMix.parse("batch"), 100,
        Duration.ofSeconds(1), 0, Duration.ZERO, 1)).hasMessageContaining("--batch-size");
  }

  @Test
  void operationCountReplacesDuration() {
    LoadSettings byCount = new LoadSettings(List.of(1), 100, 10, SET, 10, Duration.ZERO, 500, Duration.ZERO, 1);
    assertThat(byCount.byOperationCount()).isTrue();
  }

  @Test
  void mixParsesWeightsAndRejectsNonsense() {
    OperationMix mix = OperationMix.parse("set=3, get=1");
    assertThat(mix.toString()).isEqualTo("set=3,get=1");
    assertThat(OperationMix.parse("batch=1,slot-batch=1").toString()).isEqualTo("batch=1,slot-batch=1");
    assertThatThrownBy(() -> new LoadSettings(List.of(1), 100_000, 10, OperationMix.parse("slot-batch"), 100,
        Duration.ofSeconds(1), 0, Duration.ZERO, 1)).hasMessageContaining("--batch-size");
    SplittableRandom random = new SplittableRandom(1);
    int sets = 0;
    for (int i = 0; i < 4000; i++) {
      if (mix.next(random) == Operation.SET) {
        sets++;
      }
    }
    assertThat(sets).isBetween(2800, 3200);
    assertThat(OperationMix.parse("incr").toString()).isEqualTo("incr=1");
    assertThatThrownBy(() -> OperationMix.parse("del")).hasMessageContaining("unknown operation 'del'");
    assertThatThrownBy(() -> OperationMix.parse("set=x")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> OperationMix.parse("set=0")).hasMessageContaining("every weight");
    assertThatThrownBy(() -> OperationMix.parse("set,set=2")).hasMessageContaining("twice");
  }

  @Test
  void baselineSpecParses() {
    RedisTarget wait = RedisTarget.parse("redis-wait2=127.0.0.1:6402,wait=2");
    assertThat(wait.name()).isEqualTo("redis-wait2");
    assertThat(wait.waitReplicas()).isEqualTo(2);
    assertThat(RedisTarget.parse("raw=localhost:6400").waitReplicas()).isZero();
    assertThatThrownBy(() -> RedisTarget.parse("127.0.0.1:6400")).hasMessageContaining("NAME=HOST:PORT");
    assertThatThrownBy(() -> RedisTarget.parse("raw=127.0.0.1")).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> RedisTarget.parse("raw=127.0.0.1:6400,fsync=1")).hasMessageContaining("unknown option");
  }

  private static LoadSettings settings(List<Integer> clients, int valueSize, int keys) {
    return new LoadSettings(clients, valueSize, keys, SET, 10, Duration.ofSeconds(1), 0, Duration.ZERO, 1);
  }
}
