package dev.redraft.coordinator.api;

import java.util.function.Supplier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.redraft.coordinator.config.HostPort;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeReadiness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server of one node (key {@code http-address}): {@code /metrics} in the Prometheus
 * text format, {@code /livez} (200 while the process serves) and {@code /readyz} (200 when ready,
 * else 503 with the reasons, one per line).
 */
public final class AdminHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  public AdminHttpServer(HostPort address, RedraftMetrics metrics, Supplier<NodeReadiness.Verdict> readiness)
      throws IOException {
    this.server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "redraft-admin-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape()));
    server.createContext("/livez", exchange -> respond(exchange, 200, TEXT, "ok\n"));
    server.createContext("/readyz", exchange -> {
      NodeReadiness.Verdict verdict = readiness.get();
      respond(exchange, verdict.ready() ? 200 : 503, TEXT,
          verdict.ready() ? "ok\n" : String.join("\n", verdict.reasons()) + "\n");
    });
  }

  public void start() {
    server.start();
  }

  /** The bound port (useful when configured as port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
        status = 404;
        body = "not found: try /metrics, /livez or /readyz\n";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("admin HTTP request {} failed: {}", exchange.getRequestURI(), e.toString());
      throw e;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
