package dev.redraft.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The commented sample file in the repository loads, and documents every key with its real default. */
class ConfigSampleTest {
  private static final Path SAMPLE = Path.of(System.getProperty("user.dir")).getParent().resolve("redraft.conf.sample");

  @Test
  void sampleLoadsAndShowsEveryKeyWithItsDefault() throws Exception {
    NodeConfig config = ConfigLoader.load(new String[] {"--config", SAMPLE.toString()}, Map.of());
    assertThat(config.nodeId()).isEqualTo("n1");
    assertThat(config.peers()).hasSize(3);
    assertThat(config.http()).isEmpty();
    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);

    List<String> lines = Files.readAllLines(SAMPLE);
    for (ConfigKey key : ConfigKey.values()) {
      if (key.hidden()) {
        assertThat(lines).as("the test-only key %s stays out of the sample", key.key())
            .noneMatch(line -> line.contains(key.key()));
        continue;
      }
      if (key.defaultValue().isPresent()) {
        assertThat(lines).as("the sample shows %s with its default", key.key())
            .contains("#" + key.key() + "=" + key.defaultValue().get());
      } else {
        assertThat(lines).as("the sample sets required key %s", key.key())
            .anyMatch(line -> line.startsWith(key.key() + "="));
      }
    }
  }
}
