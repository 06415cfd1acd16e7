package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cacert/--cert/--key win over REDRAFT_CACERT/..., which win over a cluster.sh --tls home; else plaintext. */
class TlsResolverTest {
  @TempDir
  Path dir;

  @Test
  void flagsWinOverTheEnvironment() {
    TlsSettings tls = TlsResolver.resolve("flag-ca.pem", "flag.pem", "flag-key.pem",
        Map.of("REDRAFT_CACERT", "env-ca.pem", "REDRAFT_CERT", "env.pem", "REDRAFT_KEY", "env-key.pem"), dir);
    assertThat(tls.toString()).isEqualTo("TlsSettings[ca=" + dir.resolve("flag-ca.pem") + ", cert="
        + dir.resolve("flag.pem") + ", key=" + dir.resolve("flag-key.pem") + "]");
  }

  @Test
  void theEnvironmentIsUsedWithoutFlags() {
    TlsSettings tls = TlsResolver.resolve(null, null, null, Map.of("REDRAFT_CACERT", "/etc/ca.pem"), dir);
    assertThat(tls.caFile()).isEqualTo(Path.of("/etc/ca.pem"));
    assertThat(tls.hasClientIdentity()).isFalse();
  }

  @Test
  void aLocalTlsClusterIsUsedAsItIs() throws Exception {
    Path tlsDir = Files.createDirectories(dir.resolve("home/tls"));
    for (String file : new String[] {"ca.pem", "client.pem", "client-key.pem"}) {
      Files.writeString(tlsDir.resolve(file), "x");
    }
    TlsSettings tls = TlsResolver.resolve(null, null, null, Map.of("REDRAFT_HOME", "home"), dir);
    assertThat(tls.caFile()).isEqualTo(tlsDir.resolve("ca.pem"));
    assertThat(tls.hasClientIdentity()).isTrue();
    assertThat(TlsResolver.resolve(null, null, null, Map.of("REDRAFT_HOME", "elsewhere"), dir)).isNull();
  }

  @Test
  void incompleteSettingsAreUsageErrors() {
    assertThatThrownBy(() -> TlsResolver.resolve(null, "c.pem", "k.pem", Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--cert/--key need --cacert");
    assertThatThrownBy(() -> TlsResolver.resolve("ca.pem", "c.pem", null, Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--cert needs --key");
  }
}
