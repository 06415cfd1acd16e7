package dev.redraft.coordinator.api;

import java.util.function.Supplier;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.coordinator.node.NodeReadiness;
import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the standard gRPC health service (grpc.health.v1.Health) up to date: the KV service and the
 * whole server ("") are SERVING only while the node is ready; the Admin service serves whenever the
 * process runs, so an operator can always ask a node why it is not ready.
 */
final class GrpcHealthReporter implements AutoCloseable {
  private static final long REFRESH_MS = 500;

  private final HealthStatusManager manager = new HealthStatusManager();
  private final Supplier<NodeReadiness.Verdict> readiness;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "redraft-grpc-health");
    t.setDaemon(true);
    return t;
  });

  GrpcHealthReporter(Supplier<NodeReadiness.Verdict> readiness) {
    this.readiness = readiness;
    manager.setStatus(KVGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    manager.setStatus(AdminGrpc.SERVICE_NAME, ServingStatus.SERVING);
    manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
  }

  BindableService service() {
    return manager.getHealthService();
  }

  void start() {
    timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    try {
      ServingStatus status = readiness.get().ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      manager.setStatus(KVGrpc.SERVICE_NAME, status);
      manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    } catch (RuntimeException e) {
      manager.setStatus(KVGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
      manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    manager.enterTerminalState();
  }
}
