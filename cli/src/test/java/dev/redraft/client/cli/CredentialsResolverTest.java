package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --cacert/--cert/--key/--token win over REDRAFT_CACERT/.../REDRAFT_TOKEN, which win over a cluster.sh --tls
 * home (its admin identity); else plaintext, where a token is refused.
 */
class CredentialsResolverTest {
  @TempDir
  Path dir;

  @Test
  void flagsWinOverTheEnvironment() {
    Credentials credentials = CredentialsResolver.resolve("flag-ca.pem", "flag.pem", "flag-key.pem", "flag-token",
        Map.of("REDRAFT_CACERT", "env-ca.pem", "REDRAFT_CERT", "env.pem", "REDRAFT_KEY", "env-key.pem",
            "REDRAFT_TOKEN", "env-token"), dir);
    assertThat(credentials.tls().toString()).isEqualTo("TlsSettings[ca=" + dir.resolve("flag-ca.pem") + ", cert="
        + dir.resolve("flag.pem") + ", key=" + dir.resolve("flag-key.pem") + "]");
    assertThat(credentials.token()).isEqualTo("flag-token");
    assertThat(credentials.toString()).doesNotContain("flag-token");
  }

  @Test
  void theEnvironmentIsUsedWithoutFlags() {
    Credentials credentials = CredentialsResolver.resolve(null, null, null, null,
        Map.of("REDRAFT_CACERT", "/etc/ca.pem", "REDRAFT_TOKEN", "env-token"), dir);
    assertThat(credentials.tls().caFile()).isEqualTo(Path.of("/etc/ca.pem"));
    assertThat(credentials.tls().hasClientIdentity()).isFalse();
    assertThat(credentials.token()).isEqualTo("env-token");
  }

  @Test
  void aLocalTlsClusterIsUsedWithItsAdminIdentityUnlessATokenIsGiven() throws Exception {
    Path tlsDir = Files.createDirectories(dir.resolve("home/tls"));
    for (String file : new String[] {"ca.pem", "admin.pem", "admin-key.pem", "read.pem", "read-key.pem"}) {
      Files.writeString(tlsDir.resolve(file), "x");
    }
    TlsSettings tls = CredentialsResolver.resolve(null, null, null, null, Map.of("REDRAFT_HOME", "home"), dir).tls();
    assertThat(tls.toString()).isEqualTo("TlsSettings[ca=" + tlsDir.resolve("ca.pem") + ", cert="
        + tlsDir.resolve("admin.pem") + ", key=" + tlsDir.resolve("admin-key.pem") + "]");
    Credentials withToken = CredentialsResolver.resolve(null, null, null, "t0ken", Map.of("REDRAFT_HOME", "home"), dir);
    assertThat(withToken.tls().hasClientIdentity()).as("the token is the identity").isFalse();
    assertThat(withToken.tls().caFile()).isEqualTo(tlsDir.resolve("ca.pem"));
    assertThat(CredentialsResolver.resolve(null, null, null, null, Map.of("REDRAFT_HOME", "elsewhere"), dir))
        .isEqualTo(Credentials.PLAINTEXT);
  }

  @Test
  void aTokenFileGivesItsFirstLine() throws Exception {
    Path file = Files.writeString(dir.resolve("app.token"), "  t0ken-from-a-file \nignored\n");
    Credentials credentials = CredentialsResolver.resolve("ca.pem", null, null, null, "app.token", Map.of(), dir);
    assertThat(credentials.token()).isEqualTo("t0ken-from-a-file");
    assertThat(CredentialsResolver.resolve("ca.pem", null, null, null, null,
        Map.of("REDRAFT_TOKEN_FILE", file.toString()), dir).token()).isEqualTo("t0ken-from-a-file");
    assertThatThrownBy(() -> CredentialsResolver.resolve("ca.pem", null, null, "t", "app.token", Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("give the token once");
    assertThatThrownBy(() -> CredentialsResolver.resolve("ca.pem", null, null, null, "missing.token", Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("cannot read the token file");
  }

  @Test
  void incompleteSettingsAreUsageErrors() {
    assertThatThrownBy(() -> CredentialsResolver.resolve(null, "c.pem", "k.pem", null, Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--cert/--key need --cacert");
    assertThatThrownBy(() -> CredentialsResolver.resolve("ca.pem", "c.pem", null, null, Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--cert needs --key");
    assertThatThrownBy(() -> CredentialsResolver.resolve(null, null, null, "t0ken", Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--token (or REDRAFT_TOKEN) needs TLS");
    assertThatThrownBy(() -> CredentialsResolver.resolve(null, null, null, " ", Map.of(), dir))
        .isInstanceOf(CliUsageException.class).hasMessageStartingWith("--token is empty");
  }
}
