package dev.redraft.coordinator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.CoordinatorNode;
import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.TlsFiles;
import dev.redraft.coordinator.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's TLS files are checked at start, and each mistake is one line naming the file and the key:
 * missing files, a key that is not the certificate's, a certificate from another CA, a certificate
 * that cannot serve as a client, a key in the old PKCS#1 form, and only some of the three keys set.
 */
class TlsMaterialTest {
  @TempDir
  static Path dir;

  private static TestCa ca;
  private static TestCa otherCa;
  private static TestCa.Identity node;
  private static TestCa.Identity otherNode;

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCa.create(dir.resolve("ca"), "cluster-ca");
    otherCa = TestCa.create(dir.resolve("other"), "other-ca");
    node = ca.issueNode("n1");
    otherNode = ca.issueNode("n2");
  }

  @Test
  void aGoodSetLoads() {
    TlsMaterial material = TlsMaterial.load(new TlsFiles(node.cert(), node.key(), ca.cert()));
    assertThat(material.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=n1,OU=node");
    assertThat(material.describe()).contains("CN=n1").doesNotContain("PRIVATE");
  }

  @Test
  void aMissingFileNamesTheFileAndTheKey() {
    Path missing = dir.resolve("nowhere.pem");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(missing, node.key(), ca.cert())))
        .isInstanceOf(ConfigException.class).hasMessage("tls-cert: " + missing + " does not exist: set tls-cert to a"
            + " readable PEM file");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(node.cert(), node.key(), missing)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls-ca: " + missing);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(node.cert(), otherNode.key(), ca.cert())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls-key: the private key in " + otherNode.key() + " does not belong to the certificate in "
            + node.cert() + " (tls-cert): give the key the certificate was issued for");
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    TestCa.Identity stranger = otherCa.issueNode("n1");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(stranger.cert(), stranger.key(), ca.cert())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls-cert: the certificate in " + stranger.cert() + " ('CN=n1,OU=node') is not signed by a CA in "
            + ca.cert() + " (tls-ca)");
  }

  @Test
  void aServerOnlyCertificateIsRefused() throws Exception {
    TestCa.Identity serverOnly = ca.issue("server-only", "node", "serverAuth", "IP:127.0.0.1,DNS:localhost");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(serverOnly.cert(), serverOnly.key(), ca.cert())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must allow both serverAuth and clientAuth");
  }

  @Test
  void aCertificateWithoutTheNodeRoleIsRefused() throws Exception {
    TestCa.Identity application = ca.issue("app", "admin", "serverAuth,clientAuth", "IP:127.0.0.1");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(application.cert(), application.key(), ca.cert())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls-cert: the certificate in " + application.cert() + " ('CN=app,OU=admin') is not a node"
            + " certificate: its subject needs OU=node (e.g. /OU=node/CN=n1), or peers refuse it");
  }

  @Test
  void tokensNeedTls() {
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--node-id=n1", "--raft-address=127.0.0.1:1",
        "--api-address=127.0.0.1:2", "--peers=n1=127.0.0.1:1", "--data-dir=" + dir.resolve("data"),
        "--tokens-file=" + dir.resolve("tokens")}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tokens-file needs TLS (tls-cert, tls-key, tls-ca)");
  }

  @Test
  void aNonPkcs8KeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path garbage = dir.resolve("not-a-key.pem");
    Files.writeString(garbage, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsMaterial.load(new TlsFiles(node.cert(), garbage, ca.cert())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-key: " + garbage + " is not an unencrypted PKCS#8 PEM private key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void tlsNeedsAllThreeKeys() {
    List<String> args = new ArrayList<>(List.of("--node-id=n1", "--raft-address=127.0.0.1:1", "--api-address=127.0.0.1:2",
        "--peers=n1=127.0.0.1:1", "--data-dir=" + dir.resolve("data"), "--tls-cert=" + node.cert()));
    assertThatThrownBy(() -> ConfigLoader.load(args.toArray(String[]::new), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls-key is required when tls-cert is set");
  }

  @Test
  void aNodeWithABadKeyDoesNotStart() {
    String[] args = {"--node-id=n1", "--raft-address=127.0.0.1:1", "--api-address=127.0.0.1:2",
        "--peers=n1=127.0.0.1:1", "--data-dir=" + dir.resolve("data"), "--tls-cert=" + node.cert(),
        "--tls-key=" + otherNode.key(), "--tls-ca=" + ca.cert()};
    assertThatThrownBy(() -> CoordinatorNode.start(ConfigLoader.load(args, Map.of())))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls-key: the private key in");
  }
}
