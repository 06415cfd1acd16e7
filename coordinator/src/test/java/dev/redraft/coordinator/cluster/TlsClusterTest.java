package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ConfirmLeadershipRequest;
import dev.redraft.api.v1.FetchSnapshotRequest;
import dev.redraft.api.v1.GetDigestRequest;
import dev.redraft.api.v1.TokenInfo;
import dev.redraft.client.AdminRefusedException;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.RedraftRpcException;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.security.TokenStore;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCa;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * A three-node cluster with TLS on the API and Raft ports (certificates from a real openssl CA, real
 * handshakes) and roles: reads, writes, forwarding and admin calls work for callers whose certificate
 * (OU) or token gives the role; a read identity cannot write, a readwrite one cannot change membership,
 * no client identity may call the node-to-node RPCs; a caller without a credential, with a certificate
 * naming no role, with an unknown token, that does not trust the cluster CA or whose certificate comes
 * from another CA is refused, and the Raft port takes node certificates only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsClusterTest {
  @TempDir
  static Path dir;

  private TestCa ca;
  private TestCa otherCa;
  private TestCa.Identity admin;
  private TestCa.Identity readwrite;
  private TestCa.Identity reader;
  private TestCa.Identity noRole;
  private TestCa.Identity stranger;
  private final String readToken = "read-token-" + UUID.randomUUID();
  private final String readwriteToken = "readwrite-token-" + UUID.randomUUID();
  private TestCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    ca = TestCa.create(dir.resolve("ca"), "redraft-test-ca");
    otherCa = TestCa.create(dir.resolve("other-ca"), "some-other-ca");
    admin = ca.issueClient("ops", "admin");
    readwrite = ca.issueClient("app", "readwrite");
    reader = ca.issueClient("dashboard", "read");
    noRole = ca.issue("nobody", null, "clientAuth", "IP:127.0.0.1");
    // Same name, SAN, role and usages as a real node's certificate; only the issuer differs.
    stranger = otherCa.issueNode("n1");
    Path tokens = Files.writeString(dir.resolve("tokens"), "# name role sha256\n"
        + "dash read " + TokenStore.sha256Hex(readToken) + "\n"
        + "app readwrite " + TokenStore.sha256Hex(readwriteToken) + "\n");
    cluster = TestCluster.startWithTls(3, dir.resolve("cluster"), ca, Map.of("tokens-file", tokens.toString()));
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void readsWritesForwardingAndAdminWorkForCallersWithTheRole() {
    int follower = cluster.aFollower();
    try (RedraftClient viaFollower = tlsClient(identity(readwrite), cluster.endpoint(follower))) {
      // Through a follower: forwarded to the leader over the peers' TLS channels, replicated over Raft's.
      viaFollower.set("tls:greeting", "hello over tls");
      assertThat(viaFollower.get("tls:greeting")).isEqualTo("hello over tls");
      assertThat(viaFollower.incr("tls:counter")).isEqualTo(1);
      assertThat(viaFollower.admin().clusterStatus().getMembersList()).hasSize(3);
    }
    try (RedraftClient ops = tlsClient(identity(admin), cluster.endpoint(follower))) {
      assertThat(ops.admin().verify().getVerdict()).isEqualTo("CONSISTENT");
    }
    cluster.awaitSameAppliedIndex();
    for (int i = 0; i < 3; i++) {
      try (var redis = cluster.redis(i).jedis()) {
        assertThat(redis.get("tls:greeting")).as("n%d's Redis", i + 1).isEqualTo("hello over tls");
      }
    }
  }

  @Test
  void eachRoleDoesOnlyWhatItMay() {
    try (RedraftClient app = tlsClient(identity(readwrite), cluster.endpoint(0));
        RedraftClient dashboard = tlsClient(identity(reader), cluster.endpoint(0))) {
      app.set("tls:roles", "written by readwrite");
      assertThat(dashboard.get("tls:roles")).isEqualTo("written by readwrite");
      assertThatThrownBy(() -> dashboard.set("tls:roles", "written by read"))
          .isInstanceOf(RedraftRpcException.class)
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("(role read) may not call redraft.v1.KV/Write: it needs role readwrite or higher");
      assertThatThrownBy(() -> app.admin().removeNode(TestCluster.id(2)))
          .isInstanceOf(AdminRefusedException.class)
          .hasMessageContaining("(role readwrite) may not call redraft.v1.Admin/RemoveNode: it needs role admin");
      assertThat(app.get("tls:roles")).as("nothing changed").isEqualTo("written by readwrite");
    }
    assertThat(cluster.clientOf(0).admin().clusterStatus().getMembersList()).as("n3 is still a member").hasSize(3);
  }

  @Test
  void theNodeToNodeCallsRefuseEveryClientIdentity() {
    try (Grpc ops = new Grpc(cluster.endpoint(0), ca.cert(), admin)) {
      assertThatThrownBy(() -> ops.admin().getDigest(GetDigestRequest.newBuilder().setRound(1).build()))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("it is for the cluster's own nodes only");
      assertThatThrownBy(() -> ops.admin().fetchSnapshot(FetchSnapshotRequest.getDefaultInstance()).hasNext())
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("PERMISSION_DENIED");
      assertThatThrownBy(() -> ops.admin().confirmLeadership(ConfirmLeadershipRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("PERMISSION_DENIED");
    }
  }

  @Test
  void tokensStandInForACertificateWithTheirOwnRole() {
    try (RedraftClient app = tokenClient(readwriteToken); RedraftClient dashboard = tokenClient(readToken)) {
      app.set("tls:token", "written with a token");
      assertThat(dashboard.get("tls:token")).isEqualTo("written with a token");
      assertThatThrownBy(() -> dashboard.set("tls:token", "x"))
          .hasMessageContaining("caller 'token dash' (role read) may not call redraft.v1.KV/Write");
    }
    try (RedraftClient forged = tokenClient("not-a-token-of-this-cluster")) {
      assertThatThrownBy(() -> forged.get("tls:token"))
          .hasMessageContaining("UNAUTHENTICATED: the token is not valid on this node");
    }
    assertThatThrownBy(() -> RedraftClient.builder().endpoints(cluster.endpoint(0)).token(readToken).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a token is only sent over TLS");
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
  void tokensGrantedThroughTheLogAreHonouredEverywhereUntilRevoked() {
    String token;
    try (RedraftClient ops = tlsClient(identity(admin), cluster.endpoint(0))) {
      token = ops.admin().addToken("grafana", "read");
      assertThat(token).hasSize(64);
      // The answering node lists what it has applied.
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(ops.admin().listTokens().getTokensList())
          .extracting(TokenInfo::getName, TokenInfo::getRole, TokenInfo::getSource)
          .contains(tuple("grafana", "read", "api"), tuple("dash", "read", "file"), tuple("app", "readwrite", "file")));
    }
    try (RedraftClient elsewhere = tokenClient(token, cluster.endpoint(2))) {
      // Honoured once that node has applied the grant (and re-read its table, at most a second later).
      await().atMost(Duration.ofSeconds(15)).ignoreException(RedraftRpcException.class)
          .untilAsserted(() -> assertThat(elsewhere.get("tls:absent")).isNull());
      assertThatThrownBy(() -> elsewhere.set("tls:absent", "x"))
          .hasMessageContaining("caller 'token grafana' (role read) may not call redraft.v1.KV/Write");
    }
    try (RedraftClient app = tlsClient(identity(readwrite), cluster.endpoint(1))) {
      assertThatThrownBy(() -> app.admin().addToken("sneaky", "admin"))
          .isInstanceOf(AdminRefusedException.class)
          .hasMessageContaining("(role readwrite) may not call redraft.v1.Access/AddToken: it needs role admin");
    }
    try (RedraftClient ops = tlsClient(identity(admin), cluster.endpoint(1))) {
      ops.admin().removeToken("grafana");
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(ops.admin().listTokens().getTokensList())
          .extracting(TokenInfo::getName).doesNotContain("grafana"));
    }
    for (int i = 0; i < 3; i++) {
      try (RedraftClient revoked = tokenClient(token, cluster.endpoint(i))) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThatThrownBy(() -> revoked.get("tls:absent"))
            .hasMessageContaining("UNAUTHENTICATED: the token is not valid on this node"));
      }
    }
    cluster.awaitSameAppliedIndex();
    assertThat(cluster.digest(1)).as("the token table is replicated state").isEqualTo(cluster.digest(0));
  }

  @Test
  void aClientWithoutACredentialOrWithoutARoleIsRefused() {
    try (RedraftClient anonymous = tlsClient(TlsSettings.trustCa(ca.cert()), cluster.endpoint(0))) {
      assertThatThrownBy(() -> anonymous.get("tls:greeting"))
          .hasMessageContaining("UNAUTHENTICATED: no credential: this cluster takes a client certificate signed by"
              + " its CA (--cert/--key, REDRAFT_CERT/REDRAFT_KEY) or a token (--token, REDRAFT_TOKEN)");
    }
    try (RedraftClient roleless = tlsClient(identity(noRole), cluster.endpoint(0))) {
      assertThatThrownBy(() -> roleless.get("tls:greeting"))
          .hasMessageContaining("PERMISSION_DENIED: the client certificate 'CN=nobody' names no role");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheClusterCaRefusesTheNode() {
    try (RedraftClient wrongTrust = tlsClient(
        TlsSettings.trustCa(otherCa.cert()).clientIdentity(admin.cert(), admin.key()), cluster.endpoint(0))) {
      assertThatThrownBy(() -> wrongTrust.get("tls:greeting"))
          .hasMessageStartingWith("TLS handshake with " + cluster.endpoint(0) + " failed")
          .hasMessageContaining("certification path");
    }
  }

  @Test
  void anAdminCallerWithACertificateFromAnotherCaIsRefused() {
    ClusterStatusRequest request = ClusterStatusRequest.getDefaultInstance();
    try (Grpc good = new Grpc(cluster.endpoint(0), ca.cert(), admin)) {
      assertThat(good.admin().clusterStatus(request).getMembersList()).hasSize(3);
    }
    // With tokens the handshake asks for a certificate without requiring one; a JDK client does not send
    // one whose issuer the node does not list, so the call has no credential (other clients' handshakes fail).
    try (Grpc other = new Grpc(cluster.endpoint(0), ca.cert(), stranger)) {
      assertThatThrownBy(() -> other.admin().clusterStatus(request))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("whose issuer the node does not trust");
    }
    try (Grpc anonymous = new Grpc(cluster.endpoint(0), ca.cert(), null)) {
      assertThatThrownBy(() -> anonymous.admin().clusterStatus(request))
          .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAUTHENTICATED");
    }
  }

  @Test
  void theRaftPortTakesNodeCertificatesOnly() throws Exception {
    RaftPeer target = RaftPeer.newBuilder().setId(TestCluster.id(0))
        .setAddress(cluster.node(0).config().raftAddress().toString()).build();
    // Control: the same call with a node certificate from the cluster CA is answered.
    TestCa.Identity peer = ca.issueNode("would-be-peer");
    try (RaftClient member = raftClient(target, new GrpcTlsConfig(peer.key().toFile(), peer.cert().toFile(),
        ca.cert().toFile(), true))) {
      assertThat(member.getGroupManagementApi(target.getId()).list().getGroupIds()).hasSize(1);
    }
    // An application's certificate from the cluster CA is no node's: refused.
    try (RaftClient application = raftClient(target, new GrpcTlsConfig(admin.key().toFile(), admin.cert().toFile(),
        ca.cert().toFile(), true))) {
      assertThatThrownBy(() -> application.getGroupManagementApi(target.getId()).list())
          .hasMessageContaining("UNAVAILABLE");
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

  private TlsSettings identity(TestCa.Identity who) {
    return TlsSettings.trustCa(ca.cert()).clientIdentity(who.cert(), who.key());
  }

  private RedraftClient tokenClient(String token) {
    return tokenClient(token, cluster.endpoint(0));
  }

  private RedraftClient tokenClient(String token, String endpoint) {
    return RedraftClient.builder().endpoints(endpoint).requestTimeout(Duration.ofSeconds(3))
        .tls(TlsSettings.trustCa(ca.cert())).token(token).build();
  }

  private static RedraftClient tlsClient(TlsSettings tls, String endpoint) {
    return RedraftClient.builder().endpoints(endpoint).requestTimeout(Duration.ofSeconds(3)).tls(tls).build();
  }
}
