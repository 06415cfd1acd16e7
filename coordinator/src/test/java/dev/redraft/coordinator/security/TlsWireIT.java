package dev.redraft.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the Raft network, captured byte for byte by the TCP relays every Raft link of a
 * multi-process cluster runs through (no tcpdump, no root): without TLS a written value is there in
 * clear (the capture sees the log entries); with TLS the same value is nowhere in any stream, and
 * every stream is TLS records from its first byte.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TlsWireIT {
  private static final byte TLS_HANDSHAKE_RECORD = 0x16;

  @TempDir
  Path dir;

  @Test
  void withoutTlsTheCaptureSeesAWrittenValue() {
    String marker = "wire-marker-" + UUID.randomUUID();
    List<byte[]> traffic = writeAndCapture(new ChaosCluster.Options().recordRaftTraffic(), dir.resolve("plain"), marker);
    assertThat(traffic.stream().anyMatch(stream -> contains(stream, marker)))
        .as("the plaintext Raft traffic carries the value (the capture works)").isTrue();
  }

  @Test
  void withTlsNoValueCrossesTheRaftNetworkInClear() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"), "wire-test-ca");
    String marker = "wire-marker-" + UUID.randomUUID();
    List<byte[]> traffic = writeAndCapture(new ChaosCluster.Options().recordRaftTraffic().tls(ca), dir.resolve("tls"),
        marker);
    List<byte[]> carried = traffic.stream().filter(stream -> stream.length > 0).toList();
    assertThat(carried).as("Raft traffic was captured").isNotEmpty();
    assertThat(carried.stream().mapToLong(stream -> stream.length).sum()).isGreaterThan(10_000);
    for (byte[] stream : carried) {
      assertThat(contains(stream, marker)).as("a captured Raft stream holds the value in clear").isFalse();
      assertThat(stream[0]).as("a captured Raft stream starts with a TLS record").isEqualTo(TLS_HANDSHAKE_RECORD);
    }
  }

  /** Starts a 3-node cluster, writes the marker (many times, so it is in many entries), returns the capture. */
  private static List<byte[]> writeAndCapture(ChaosCluster.Options options, Path dir, String marker) {
    try (ChaosCluster cluster = ChaosCluster.start(dir, options)) {
      cluster.awaitReadyLeader(Duration.ofSeconds(90));
      RedraftClient.Builder builder = RedraftClient.builder().endpoints(cluster.endpoints())
          .requestTimeout(Duration.ofSeconds(30));
      TlsSettings tls = cluster.clientTls();
      if (tls != null) {
        builder.tls(tls);
      }
      try (RedraftClient client = builder.build()) {
        for (int i = 0; i < 20; i++) {
          client.set("wire:" + i, marker);
        }
        assertThat(client.get("wire:19")).isEqualTo(marker);
      }
      if (tls != null) {
        // A node without tokens requires a client certificate at the handshake.
        try (RedraftClient anonymous = RedraftClient.builder().endpoints(cluster.endpoints().get(0))
            .requestTimeout(Duration.ofSeconds(3)).tls(TlsSettings.trustCa(tls.caFile())).build()) {
          assertThatThrownBy(() -> anonymous.get("wire:19")).hasMessageContaining("TLS handshake with");
        }
      }
      cluster.awaitSameAppliedIndex(Duration.ofSeconds(60));
      return cluster.network().recordedTraffic();
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
