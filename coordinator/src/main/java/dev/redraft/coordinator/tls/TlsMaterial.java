package dev.redraft.coordinator.tls;

import dev.redraft.coordinator.config.ConfigException;
import dev.redraft.coordinator.config.ConfigKey;
import dev.redraft.coordinator.config.TlsFiles;
import dev.redraft.coordinator.security.NodeTrustManager;
import dev.redraft.coordinator.security.Role;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's TLS identity and the cluster CA, read from the configured PEM files and checked once at
 * start: the key belongs to the certificate, the certificate is valid now, is signed by the CA and
 * may serve both as a server and as a client (a node is both to its peers). Anything wrong is a
 * {@link ConfigException} naming the file and the key, so a node with a bad file never starts.
 */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  public TlsMaterial {
    chain = List.copyOf(chain);
    trusted = List.copyOf(trusted);
  }

  public static TlsMaterial load(TlsFiles files) {
    List<X509Certificate> chain = PemFiles.certificates(files.cert(), ConfigKey.TLS_CERT);
    PrivateKey key = PemFiles.privateKey(files.key(), ConfigKey.TLS_KEY);
    List<X509Certificate> trusted = PemFiles.certificates(files.ca(), ConfigKey.TLS_CA);
    TlsMaterial material = new TlsMaterial(key, chain, trusted);
    material.checkKeyMatches(files);
    material.checkValidNow(files);
    material.checkUsages(files);
    material.checkNodeRole(files);
    material.checkSignedByCa(files);
    return material;
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** For the start-up log line: whose certificate, until when. No key material. */
  public String describe() {
    return "certificate '" + certificate().getSubjectX500Principal().getName() + "' valid until "
        + certificate().getNotAfter().toInstant() + ", " + trusted.size() + " trusted CA certificate(s)";
  }

  private void checkKeyMatches(TlsFiles files) {
    PublicKey publicKey = certificate().getPublicKey();
    byte[] challenge = "redraft tls key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      String algorithm = signatureAlgorithm(key.getAlgorithm());
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      matches = false;
    }
    if (!matches) {
      throw new ConfigException(ConfigKey.TLS_KEY.key() + ": the private key in " + files.key()
          + " does not belong to the certificate in " + files.cert() + " (" + ConfigKey.TLS_CERT.key()
          + "): give the key the certificate was issued for");
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> keyAlgorithm;
      default -> throw new IllegalArgumentException("unsupported key algorithm " + keyAlgorithm);
    };
  }

  private void checkValidNow(TlsFiles files) {
    try {
      certificate().checkValidity();
    } catch (CertificateExpiredException e) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": the certificate in " + files.cert() + " expired on "
          + certificate().getNotAfter().toInstant() + ": issue a new one");
    } catch (CertificateNotYetValidException e) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": the certificate in " + files.cert()
          + " is not valid before " + certificate().getNotBefore().toInstant() + ": check the clock or the certificate");
    }
  }

  /** A node is a TLS server (API, Raft) and a client (peer calls): an extended key usage must allow both. */
  private void checkUsages(TlsFiles files) {
    List<String> usages;
    try {
      usages = certificate().getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": " + files.cert() + ": unreadable extended key usage: "
          + e.getMessage());
    }
    if (usages == null || usages.contains(ANY_USAGE)) {
      return;
    }
    if (!usages.contains(SERVER_AUTH) || !usages.contains(CLIENT_AUTH)) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": the certificate in " + files.cert()
          + " must allow both serverAuth and clientAuth (extendedKeyUsage): a node is a server to its callers and a"
          + " client to its peers");
    }
  }

  /** Peers trust only node certificates ({@link NodeTrustManager}): one without OU=node could never join. */
  private void checkNodeRole(TlsFiles files) {
    if (Role.of(certificate()).orElse(null) != Role.NODE) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": the certificate in " + files.cert() + " ('"
          + certificate().getSubjectX500Principal().getName() + "') is not a node certificate: its subject needs"
          + " OU=node (e.g. /OU=node/CN=n1), or peers refuse it");
    }
  }

  private void checkSignedByCa(TlsFiles files) {
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      trusted.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      // Only the leaf and its intermediates: a CA certificate in the chain file is an anchor, not a link.
      List<X509Certificate> links = chain.stream().filter(c -> !trusted.contains(c)).toList();
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(links), parameters);
    } catch (CertPathValidatorException e) {
      throw new ConfigException(ConfigKey.TLS_CERT.key() + ": the certificate in " + files.cert() + " ('"
          + certificate().getSubjectX500Principal().getName() + "') is not signed by a CA in " + files.ca() + " ("
          + ConfigKey.TLS_CA.key() + "): " + e.getMessage() + "; peers would refuse this node");
    } catch (GeneralSecurityException e) {
      throw new ConfigException(ConfigKey.TLS_CA.key() + ": cannot check the certificate in " + files.cert()
          + " against " + files.ca() + ": " + e.getMessage());
    }
  }
}
