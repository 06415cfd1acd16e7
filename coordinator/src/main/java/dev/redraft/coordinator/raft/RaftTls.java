package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.tls.TlsPolicy;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.security.TlsConf.CertificatesConf;
import org.apache.ratis.security.TlsConf.PrivateKeyConf;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;

/**
 * Mutual TLS for Ratis' gRPC transport (its own shaded gRPC): one {@link GrpcTlsConfig} set as
 * {@code GrpcConfigKeys.TLS} serves the server port, the peer appenders and this node's Raft clients.
 * The server requires a client certificate signed by the cluster CA (a host without one cannot speak
 * Raft to it, let alone impersonate a peer); every outgoing call presents the node's certificate and
 * checks the peer's against the CA and its address. The JDK provider (not OpenSSL, Ratis' server
 * default) so TLS works without native libraries.
 */
final class RaftTls {
  private RaftTls() {}

  static GrpcTlsConfig of(TlsMaterial tls) {
    return GrpcTlsConfig.newBuilder()
        .setName("redraft")
        .setPrivateKey(new PrivateKeyConf(tls.key()))
        .setKeyCertificates(new CertificatesConf(tls.chain()))
        .setTrustCertificates(new CertificatesConf(tls.trusted()))
        .setMutualTls(true)
        .setSslProvider(SslProvider.JDK)
        .setProtocols(TlsPolicy.PROTOCOLS)
        .setCipherSuites(TlsPolicy.CIPHER_SUITES)
        .build();
  }
}
