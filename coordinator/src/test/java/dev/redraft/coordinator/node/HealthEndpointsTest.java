package dev.redraft.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.AdminHttp;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /livez, /readyz and the standard gRPC health service on a real cluster: ready when healthy; a
 * node whose Redis is down is not ready (KV NOT_SERVING, Admin still SERVING, still live); once its
 * Redis comes back empty the node is reported diverged. Server reflection lists the services.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HealthEndpointsTest {
  private static final String KV = "redraft.v1.KV";
  private static final String ADMIN = "redraft.v1.Admin";

  @TempDir
  Path dir;

  @Test
  void readinessFollowsRedisAndDivergence() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      client.set("k", "v");
      int follower = cluster.aFollower();
      String http = cluster.httpUrl(follower);
      try (Grpc grpc = new Grpc(cluster.endpoint(follower))) {
        for (int i = 0; i < cluster.size(); i++) {
          String url = cluster.httpUrl(i) + "/readyz";
          await().atMost(Duration.ofSeconds(30)).until(() -> AdminHttp.get(url).status() == 200);
        }
        assertThat(AdminHttp.get(http + "/livez")).isEqualTo(new AdminHttp.Response(200, "ok\n"));
        // The node sets the KV service's status, then the whole server's: wait for both.
        await().atMost(Duration.ofSeconds(10)).until(() -> health(grpc, KV) == ServingStatus.SERVING
            && health(grpc, "") == ServingStatus.SERVING);
        assertThat(health(grpc, ADMIN)).isEqualTo(ServingStatus.SERVING);

        cluster.redis(follower).stop();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          AdminHttp.Response ready = AdminHttp.get(http + "/readyz");
          assertThat(ready.status()).isEqualTo(503);
          assertThat(ready.body()).contains("Redis does not answer PING");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> health(grpc, KV) == ServingStatus.NOT_SERVING
            && health(grpc, "") == ServingStatus.NOT_SERVING);
        assertThat(health(grpc, ADMIN)).isEqualTo(ServingStatus.SERVING);
        assertThat(AdminHttp.get(http + "/livez").status()).isEqualTo(200);

        // Back, but empty: the node finds its applied-index marker gone, counts the drift, rebuilds its
        // Redis from its own snapshot and log, and is ready again.
        cluster.redis(follower).restart();
        client.set("k2", "v2");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(AdminHttp.value(
            AdminHttp.get(http + "/metrics").body(), "redraft_drift_detected_total", Map.of())).isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(AdminHttp.get(http + "/readyz").status()).isEqualTo(200);
          assertThat(AdminHttp.value(AdminHttp.get(http + "/metrics").body(), "redraft_node_diverged", Map.of()))
              .isZero();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> health(grpc, KV) == ServingStatus.SERVING);
        // The other nodes are unaffected.
        assertThat(AdminHttp.get(cluster.httpUrl(cluster.awaitLeader()) + "/readyz").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void reflectionListsTheServices() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, dir); Grpc grpc = new Grpc(cluster.endpoint(0))) {
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(grpc.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse value) {
              answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
          .map(ServiceResponse::getName).toList();
      requests.onCompleted();
      assertThat(services).contains(KV, ADMIN, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
    }
  }

  private static ServingStatus health(Grpc grpc, String service) {
    return HealthGrpc.newBlockingStub(grpc.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }
}
