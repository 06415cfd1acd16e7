package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCa;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster with mutual TLS on the API and Raft ports (certificates from a real openssl
 * CA, real handshakes): reads, writes, forwarding and admin calls work for a caller with a
 * certificate from the cluster CA; a plaintext caller, a caller without a certificate, a caller that
 * does not trust the cluster CA and a caller whose certificate comes from another CA are refused, on
 * the API port and on the Raft port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsClusterTest {
  @TempDir
  static Path dir;

  private TestCa ca;
  private TestCa otherCa;
  private TestCa.Identity client;
  private TestCa.Identity stranger;
  private TestCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    ca = TestCa.create(dir.resolve("ca"), "redraft-test-ca");
    otherCa = TestCa.create(dir.resolve("other-ca"), "some-other-ca");
    client = ca.issue("app");
    // Same name, SAN and usages as a real node's certificate; only the issuer differs.
    stranger = otherCa.issue("n1");
    cluster = TestCluster.startWithTls(3, dir.resolve("cluster"), ca);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void readsWritesForwardingAndAdminWorkForACallerWithAClusterCertificate() {
    int follower = cluster.aFollower();
    try (RedraftClient viaFollower = tlsClient(TlsSettings.trustCa(ca.cert()).clientIdentity(client.cert(), client.key()),
        cluster.endpoint(follower))) {
      // Through a follower: forwarded to the leader over the peers' TLS channels, replicated over Raft's.
      viaFollower.set("tls:greeting", "hello over tls");
      assertThat(viaFollower.get("tls:greeting")).isEqualTo("hello over tls");
      assertThat(viaFollower.incr("tls:counter")).isEqualTo(1);
      assertThat(viaFollower.admin().clusterStatus().getMembersList()).hasSize(3);
    }
    cluster.awaitSameAppliedIndex();
    for (int i = 0; i < 3; i++) {
      try (var redis = cluster.redis(i).jedis()) {
        assertThat(redis.get("tls:greeting")).as("n%d's Redis", i + 1).isEqualTo("hello over tls");
      }
    }
  }

  @Test
  void aPlaintextClientIsRefusedWithAClearError() {
    try (RedraftClient plaintext = RedraftClient.builder().endpoints(cluster.endpoint(0))
        .requestTimeout(Duration.ofSeconds(3)).build()) {
      assertThatThrownBy(() -> plaintext.get("tls:greeting"))
          .hasMessageContaining("closed the connection without an answer: if the cluster uses TLS");
    }
  }

  @Test
  void aClientWithoutACertificateIsRefused() {
    try (RedraftClient noIdentity = tlsClient(TlsSettings.trustCa(ca.cert()), cluster.endpoint(0))) {
      assertThatThrownBy(() -> noIdentity.get("tls:greeting"))
          .hasMessageStartingWith("TLS handshake with " + cluster.endpoint(0) + " failed")
          .hasMessageContaining("CERTIFICATE");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheClusterCaRefusesTheNode() {
    try (RedraftClient wrongTrust = tlsClient(
        TlsSettings.trustCa(otherCa.cert()).clientIdentity(client.cert(), client.key()), cluster.endpoint(0))) {
      assertThatThrownBy(() -> wrongTrust.get("tls:greeting"))
          .hasMessageStartingWith("TLS handshake with " + cluster.endpoint(0) + " failed")
          .hasMessageContaining("certification path");
    }
  }

  @Test
  void anAdminCallerWithACertificateFromAnotherCaIsRefused() {
    ClusterStatusRequest request = ClusterStatusRequest.getDefaultInstance();
    try (Grpc good = new Grpc(cluster.endpoint(0), ca.cert(), client)) {
      assertThat(good.admin().clusterStatus(request).getMembersList()).hasSize(3);
    }
    try (Grpc other = new Grpc(cluster.endpoint(0), ca.cert(), stranger)) {
      assertThatThrownBy(() -> other.admin().clusterStatus(request))
          .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAVAILABLE");
    }
    try (Grpc anonymous = new Grpc(cluster.endpoint(0), ca.cert(), null)) {
      assertThatThrownBy(() -> anonymous.admin().clusterStatus(request))
          .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAVAILABLE");
    }
  }

  @Test
  void theRaftPortRefusesAPeerWithACertificateFromAnotherCaAndPlaintext() throws Exception {
    RaftPeer target = RaftPeer.newBuilder().setId(TestCluster.id(0))
        .setAddress(cluster.node(0).config().raftAddress().toString()).build();
    // Control: the same call with a certificate from the cluster CA is answered.
    TestCa.Identity peer = ca.issue("would-be-peer");
    try (RaftClient member = raftClient(target, new GrpcTlsConfig(peer.key().toFile(), peer.cert().toFile(),
        ca.cert().toFile(), true))) {
      assertThat(member.getGroupManagementApi(target.getId()).list().getGroupIds()).hasSize(1);
    }
    try (RaftClient impostor = raftClient(target, new GrpcTlsConfig(stranger.key().toFile(),
        stranger.cert().toFile(), ca.cert().toFile(), true))) {
      assertThatThrownBy(() -> impostor.getGroupManagementApi(target.getId()).list())
          .hasMessageContaining("UNAVAILABLE");
    }
    try (RaftClient plaintext = raftClient(target, null)) {
      assertThatThrownBy(() -> plaintext.getGroupManagementApi(target.getId()).list())
          .hasMessageContaining("UNAVAILABLE");
    }
  }

  private static RaftClient raftClient(RaftPeer target, GrpcTlsConfig tls) {
    Parameters parameters = new Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(parameters, tls);
    }
    return RaftClient.newBuilder()
        .setProperties(new RaftProperties())
        .setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), List.of(target)))
        .setLeaderId(RaftPeerId.valueOf(target.getId().toString()))
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
  }

  private static RedraftClient tlsClient(TlsSettings tls, String endpoint) {
    return RedraftClient.builder().endpoints(endpoint).requestTimeout(Duration.ofSeconds(3)).tls(tls).build();
  }
}
