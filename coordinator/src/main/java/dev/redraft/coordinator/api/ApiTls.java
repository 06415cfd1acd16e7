package dev.redraft.coordinator.api;

import dev.redraft.coordinator.security.CallAuthorizer;
import dev.redraft.coordinator.security.NodeTrustManager;
import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.tls.TlsPolicy;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * TLS of the public gRPC server (KV, Admin, health, reflection: one port) and of this node's calls to
 * its peers' servers. The server requires a client certificate signed by the cluster CA at the
 * handshake, unless the node accepts tokens: then a certificate is asked for but optional, and
 * {@link CallAuthorizer} refuses every call that has neither a verified certificate nor a valid token.
 * A peer call presents the node's own certificate and accepts only a node's ({@link NodeTrustManager}).
 * TLS 1.3/1.2 and {@link TlsPolicy}'s suites only.
 */
final class ApiTls {
  private ApiTls() {}

  /** {@code tokensAccepted}: a caller may present a token instead of a certificate. */
  static SslContext server(TlsMaterial tls, boolean tokensAccepted) {
    SslContextBuilder builder = GrpcSslContexts.configure(
        SslContextBuilder.forServer(tls.key(), tls.chain().toArray(X509Certificate[]::new)), SslProvider.JDK)
        .trustManager(tls.trusted().toArray(X509Certificate[]::new))
        .clientAuth(tokensAccepted ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
    return build(restrict(builder), "server");
  }

  static SslContext peerClient(TlsMaterial tls) {
    SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
        .keyManager(tls.key(), tls.chain().toArray(X509Certificate[]::new))
        .trustManager(NodeTrustManager.of(tls.trusted()));
    return build(restrict(builder), "peer client");
  }

  private static SslContextBuilder restrict(SslContextBuilder builder) {
    return builder.protocols(TlsPolicy.PROTOCOLS.toArray(String[]::new))
        .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
  }

  private static SslContext build(SslContextBuilder builder, String what) {
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up the API's TLS " + what + " context: " + e.getMessage(), e);
    }
  }
}
