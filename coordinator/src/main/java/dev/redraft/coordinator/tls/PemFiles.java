package dev.redraft.coordinator.tls;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and PKCS#8 private keys. Every failure is a {@link ConfigException} that
 * names the file, the configuration key it came from and what to do; key material never goes into a
 * message.
 */
final class PemFiles {
  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

  private PemFiles() {}

  /** Every certificate in a PEM file, in file order (a leaf first, then its intermediates). */
  static List<X509Certificate> certificates(Path file, ConfigKey key) {
    byte[] bytes = read(file, key);
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(bytes))) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new ConfigException(key.key() + ": " + file + " holds no certificate: give a PEM file with"
            + " '-----BEGIN CERTIFICATE-----' blocks");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new ConfigException(key.key() + ": " + file + " is not a PEM certificate file (" + e.getMessage()
          + "): give a PEM file with '-----BEGIN CERTIFICATE-----' blocks");
    }
  }

  /** The one PKCS#8 private key of a PEM file ({@code -----BEGIN PRIVATE KEY-----}, unencrypted). */
  static PrivateKey privateKey(Path file, ConfigKey key) {
    String text = new String(read(file, key), StandardCharsets.US_ASCII);
    Matcher matcher = PRIVATE_KEY.matcher(text);
    if (!matcher.find()) {
      String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted"
          : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY") ? "it is in the older PKCS#1/SEC1 form"
          : "no '-----BEGIN PRIVATE KEY-----' block found";
      throw new ConfigException(key.key() + ": " + file + " is not an unencrypted PKCS#8 PEM private key (" + hint
          + "): convert it with 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW' and keep NEW owner-only");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(matcher.group(1));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key.key() + ": " + file + ": the private key's base64 text is damaged");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisAlgorithm) {
        // try the next one
      }
    }
    throw new ConfigException(key.key() + ": " + file + ": the private key is of an unsupported algorithm or damaged"
        + " (supported: " + String.join(", ", KEY_ALGORITHMS) + ")");
  }

  private static byte[] read(Path file, ConfigKey key) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(key.key() + ": " + file + " does not exist: set " + key.key() + " to a readable PEM file");
    } catch (AccessDeniedException e) {
      throw new ConfigException(key.key() + ": " + file + " cannot be read (permission denied): make it readable by"
          + " the user the node runs as");
    } catch (IOException e) {
      throw new ConfigException(key.key() + ": cannot read " + file + ": " + e.getMessage());
    }
  }
}
