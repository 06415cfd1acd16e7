package dev.redraft.coordinator.tls;

import java.util.List;

/**
 * The TLS versions and cipher suites every Redraft TLS endpoint accepts (public API, admin API and
 * Raft): TLS 1.3 and 1.2 only, forward-secret AEAD suites only (names as the JDK spells them).
 */
public final class TlsPolicy {
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public static final List<String> CIPHER_SUITES = List.of(
      // TLS 1.3
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      // TLS 1.2: ECDHE key exchange, AEAD ciphers
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {}
}
