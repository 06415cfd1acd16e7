package dev.redraft.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS files are reported when the client is built, naming the file. */
class TlsSettingsTest {
  @TempDir
  Path dir;

  @Test
  void aMissingCaFileIsNamed() {
    Path missing = dir.resolve("ca.pem");
    assertThatThrownBy(() -> RedraftClient.builder().endpoints("127.0.0.1:1").tls(TlsSettings.trustCa(missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TLS: the CA certificate file " + missing + " does not exist");
  }

  @Test
  void aCaFileThatIsNoCertificateIsNamed() throws Exception {
    Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    assertThatThrownBy(() -> RedraftClient.builder().endpoints("127.0.0.1:1").tls(TlsSettings.trustCa(garbage)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TLS: cannot use the CA certificate file " + garbage);
  }

  @Test
  void aMissingClientKeyIsNamed() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("client.pem"), "x");
    Path key = dir.resolve("client-key.pem");
    assertThatThrownBy(() -> TlsSettings.trustCa(ca).clientIdentity(cert, key).credentials())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TLS: the client private key file " + key + " does not exist");
  }
}
