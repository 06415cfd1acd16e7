package dev.redraft.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Objects;

/**
 * TLS towards a Redraft cluster: the CA certificate(s) to trust (PEM) and the client's own
 * certificate and private key (PEM, PKCS#8). A cluster with TLS on requires a client certificate
 * signed by its CA from every caller, so both are needed there.
 *
 * <pre>{@code
 * RedraftClient.builder().endpoints("node1:7001")
 *     .tls(TlsSettings.trustCa(Path.of("ca.pem")).clientIdentity(Path.of("app.pem"), Path.of("app-key.pem")))
 *     .build();
 * }</pre>
 */
public final class TlsSettings {
  private final Path caFile;
  private final Path certFile;
  private final Path keyFile;

  private TlsSettings(Path caFile, Path certFile, Path keyFile) {
    this.caFile = caFile;
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /** Trust the CA certificate(s) in this PEM file (and nothing else) for the nodes' certificates. */
  public static TlsSettings trustCa(Path caPem) {
    return new TlsSettings(Objects.requireNonNull(caPem, "caPem"), null, null);
  }

  /** Present this certificate (PEM, then its intermediates) with its private key (PEM, PKCS#8). */
  public TlsSettings clientIdentity(Path certPem, Path keyPem) {
    return new TlsSettings(caFile, Objects.requireNonNull(certPem, "certPem"), Objects.requireNonNull(keyPem, "keyPem"));
  }

  public Path caFile() {
    return caFile;
  }

  /** Whether a client certificate is presented. */
  public boolean hasClientIdentity() {
    return certFile != null;
  }

  /**
   * Reads the files now, so a missing or unreadable one is reported when the client is built, naming
   * the file, not at the first call.
   */
  ChannelCredentials credentials() {
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    readable(caFile, "CA certificate");
    if (certFile != null) {
      readable(certFile, "client certificate");
      readable(keyFile, "client private key");
    }
    try {
      requireCertificates(caFile);
      builder.trustManager(caFile.toFile());
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("TLS: cannot use the CA certificate file " + caFile + ": " + reason(e), e);
    }
    if (certFile != null) {
      try {
        builder.keyManager(certFile.toFile(), keyFile.toFile());
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("TLS: cannot use the client certificate " + certFile + " with the key "
            + keyFile + ": " + reason(e) + " (the key must be unencrypted PKCS#8 PEM, '-----BEGIN PRIVATE KEY-----')", e);
      }
    }
    return builder.build();
  }

  /** gRPC parses the CA file only when a channel opens: parse it here so a bad one fails now. */
  private static void requireCertificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new IllegalArgumentException("it holds no PEM certificate ('-----BEGIN CERTIFICATE-----')");
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("it is not a PEM certificate file (" + e.getMessage() + ")", e);
    }
  }

  private static Path readable(Path file, String what) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("TLS: the " + what + " file " + file + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("TLS: the " + what + " file " + file + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("TLS: the " + what + " file " + file + " cannot be read (permission denied)");
    }
    return file;
  }

  private static String reason(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** Names the files, never their content. */
  @Override
  public String toString() {
    return "TlsSettings[ca=" + caFile + (certFile == null ? "" : ", cert=" + certFile + ", key=" + keyFile) + "]";
  }
}
