package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the real openssl tool (as scripts/cluster.sh --tls
 * does): a CA certificate and key, and certificates it issues for nodes (OU=node) and clients (OU=their
 * role), EC P-256, PKCS#8 keys, SAN 127.0.0.1 and localhost.
 */
public final class TestCa {
  /** A certificate and its private key, PEM files. */
  public record Identity(Path cert, Path key) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Path cert;
  private final Path key;

  private TestCa(Path dir) {
    this.dir = dir;
    this.cert = dir.resolve("ca.pem");
    this.key = dir.resolve("ca-key.pem");
  }

  public static TestCa create(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    TestCa ca = new TestCa(dir);
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca.key.toString(), "-out", ca.cert.toString(), "-days", "30", "-subj", "/CN=" + name,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return ca;
  }

  /** The CA whose ca.pem and ca-key.pem are in {@code dir} (e.g. one cluster.sh made); it issues into dir. */
  public static TestCa existing(Path dir) {
    return new TestCa(dir);
  }

  public Path cert() {
    return cert;
  }

  /** A node's certificate for {@code name} (OU=node, serverAuth and clientAuth). */
  public Identity issueNode(String name) throws IOException {
    return issue(name, "node", "serverAuth,clientAuth", "IP:127.0.0.1,DNS:localhost");
  }

  /** A client's certificate for {@code name} with this role (OU=role: read, readwrite, admin; clientAuth). */
  public Identity issueClient(String name, String role) throws IOException {
    return issue(name, role, "clientAuth", "IP:127.0.0.1,DNS:localhost");
  }

  /**
   * A certificate whose subject is /OU=role/CN=name (no OU if {@code role} is null), with this extended
   * key usage (e.g. "serverAuth" only) and these subject alternative names (e.g. "DNS:n1,IP:127.0.0.1").
   */
  public Identity issue(String name, String role, String usages, String subjectAltNames) throws IOException {
    Path certFile = dir.resolve(name + ".pem");
    Path keyFile = dir.resolve(name + "-key.pem");
    Path csr = dir.resolve(name + ".csr");
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        + "extendedKeyUsage=" + usages + "\nsubjectAltName=" + subjectAltNames + "\n");
    openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", keyFile.toString(), "-out", csr.toString(), "-subj",
        (role == null ? "" : "/OU=" + role) + "/CN=" + name);
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", cert.toString(), "-CAkey", key.toString(),
        "-set_serial", "0x" + HexFormat.of().formatHex(RANDOM.generateSeed(12)), "-days", "30",
        "-extfile", ext.toString(), "-out", certFile.toString());
    return new Identity(certFile, keyFile);
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("openssl " + args[0] + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: "
          + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
