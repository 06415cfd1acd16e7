package dev.redraft.coordinator.resp;

import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.tls.TlsPolicy;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * TLS of the RESP port (as Redis' tls-port): the node's certificate, {@link TlsPolicy}'s versions and
 * suites; a client certificate signed by the cluster CA is asked for, not required (redis-cli
 * --cert/--key): with one whose OU names a role the connection starts authenticated with that role,
 * without one it authenticates with AUTH.
 */
final class RespTls {
  private RespTls() {}

  static SslContext server(TlsMaterial tls) {
    try {
      return SslContextBuilder.forServer(tls.key(), tls.chain().toArray(X509Certificate[]::new))
          .sslProvider(SslProvider.JDK)
          .trustManager(tls.trusted().toArray(X509Certificate[]::new))
          .clientAuth(ClientAuth.OPTIONAL)
          .protocols(TlsPolicy.PROTOCOLS.toArray(String[]::new))
          .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up the RESP port's TLS context: " + e.getMessage(), e);
    }
  }
}
