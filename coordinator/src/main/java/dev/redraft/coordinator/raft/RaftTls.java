package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.security.NodeTrustManager;
import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.tls.TlsPolicy;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.security.TlsConf.CertificatesConf;
import org.apache.ratis.security.TlsConf.PrivateKeyConf;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;

/**
 * Mutual TLS for Ratis' gRPC transport (its own shaded gRPC): one {@link GrpcTlsConfig} set as
 * {@code GrpcConfigKeys.TLS} serves the server port, the peer appenders and this node's Raft clients.
 * Both ends must present a node certificate ({@link NodeTrustManager}: signed by the cluster CA, OU=node),
 * so neither a host without one nor an application holding a client certificate of the same CA can speak
 * Raft to a node or impersonate a peer; an outgoing call also checks the peer's address. The JDK provider (not OpenSSL, Ratis' server
 * default) so TLS works without native libraries.
 */
final class RaftTls {
  private RaftTls() {}

  static GrpcTlsConfig of(TlsMaterial tls) {
    return GrpcTlsConfig.newBuilder()
        .setName("redraft")
        .setPrivateKey(new PrivateKeyConf(tls.key()))
        .setKeyCertificates(new CertificatesConf(tls.chain()))
        .setTrustManager(NodeTrustManager.of(tls.trusted()))
        .setMutualTls(true)
        .setSslProvider(SslProvider.JDK)
        .setProtocols(TlsPolicy.PROTOCOLS)
        .setCipherSuites(TlsPolicy.CIPHER_SUITES)
        .build();
  }
}
