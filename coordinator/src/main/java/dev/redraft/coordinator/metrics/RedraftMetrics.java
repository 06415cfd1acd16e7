package dev.redraft.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Every metric of one node, registered in one place, with the names the README documents. One
 * registry per node (tests run several nodes in one JVM), scraped in the Prometheus text format.
 *
 * <p>Components call the recording methods ({@link #request}, {@link #redisRoundTrip},
 * {@link #snapshotTaken}, {@link #verification}, {@link #driftDetected}, ...); gauges read their
 * sources at scrape time.
 */
public final class RedraftMetrics implements AutoCloseable {
  /** Request operations, the {@code op} tag of {@code redraft_requests_seconds}. */
  public enum Op { WRITE, READ, READ_STALE }

  static final List<String> ROLES = List.of("LEADER", "FOLLOWER", "CANDIDATE", "LISTENER", "UNKNOWN");
  /** Latency buckets (Prometheus histogram): 1 ms to 10 s covers a Redis round trip up to a slow election. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final Duration[] SNAPSHOT_BUCKETS = {
      Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10)};

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Counter leaderChanges;
  private final Counter appliedEntries;
  private final Timer snapshots;
  private final Counter driftDetected;
  private final Map<Op, Timer> okTimers = new EnumMap<>(Op.class);
  private final Map<Op, Timer> errorTimers = new EnumMap<>(Op.class);
  private final Map<String, Timer> redisTimers = new HashMap<>();

  public RedraftMetrics(String nodeId, String clusterId) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeId, "cluster", clusterId);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    leaderChanges = Counter.builder("redraft.raft.leader.changes")
        .description("Leader changes seen by this node (a new leader, or none, was announced)").register(registry);
    appliedEntries = Counter.builder("redraft.applied.entries")
        .description("Log entries applied to this node's Redis").register(registry);
    snapshots = Timer.builder("redraft.snapshot")
        .description("Snapshots taken by this node and how long each took")
        .serviceLevelObjectives(SNAPSHOT_BUCKETS).register(registry);
    driftDetected = Counter.builder("redraft.drift.detected")
        .description("Times this node's Redis was found to differ from what the log says it holds").register(registry);
    for (VerificationResult result : VerificationResult.values()) {
      verificationCounter(result);
    }
    // Registered up front and kept: a per-request lookup by name and tags cost more than recording.
    for (Op op : Op.values()) {
      okTimers.put(op, requestTimer(op, "ok"));
      errorTimers.put(op, requestTimer(op, "error"));
    }
    // Registered up front so a scrape never registers a meter while it reads the registry.
    for (String op : List.of("apply", "read", "ping")) {
      redisTimers.put(op, redisTimer(op));
    }
  }

  /** Releases the GC listener and the registry. */
  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Everything, in the Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  // ---- requests

  /**
   * One finished client request. {@code errorKind} is null on success, else the gRPC status code
   * it failed with (e.g. INVALID_ARGUMENT, UNAVAILABLE).
   */
  public void request(Op op, long elapsedNanos, String errorKind) {
    (errorKind == null ? okTimers : errorTimers).get(op).record(elapsedNanos, TimeUnit.NANOSECONDS);
    if (errorKind != null) {
      Counter.builder("redraft.request.errors")
          .description("Failed client requests by operation and gRPC status code")
          .tag("op", tag(op)).tag("kind", errorKind.toLowerCase(Locale.ROOT))
          .register(registry).increment();
    }
  }

  private Timer requestTimer(Op op, String outcome) {
    return Timer.builder("redraft.requests")
        .description("Client requests served by this node (rate and latency)")
        .tag("op", tag(op)).tag("outcome", outcome)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  private static String tag(Op op) {
    return op.name().toLowerCase(Locale.ROOT);
  }

  // ---- Redis

  /** One round trip to this node's Redis: {@code op} is apply, read or ping. */
  public void redisRoundTrip(String op, long elapsedNanos) {
    Timer timer = redisTimers.get(op);
    (timer != null ? timer : redisTimer(op)).record(elapsedNanos, TimeUnit.NANOSECONDS);
  }

  private Timer redisTimer(String op) {
    return Timer.builder("redraft.redis.roundtrip")
        .description("Round trips to this node's Redis")
        .tag("op", op)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  public void entriesApplied(int count) {
    appliedEntries.increment(count);
  }

  // ---- Raft

  public void leaderChanged() {
    leaderChanges.increment();
  }

  /** Registers the Raft gauges of {@code group}'s replica (tag {@code group}); they read {@code source} at every scrape. */
  public void bindRaft(int group, RaftMetricsSource source) {
    String g = Integer.toString(group);
    for (String role : ROLES) {
      gauge("redraft.raft.role", "1 for this node's current Raft role, 0 for the others", source,
          s -> s.role().equals(role) ? 1 : 0, "group", g, "role", role);
    }
    gauge("redraft.raft.term", "Current Raft term", source, RaftMetricsSource::term, "group", g);
    gauge("redraft.raft.commit.index", "Highest log index known to be committed", source,
        RaftMetricsSource::commitIndex, "group", g);
    gauge("redraft.raft.applied.index", "Highest log index applied to this node's Redis", source,
        RaftMetricsSource::appliedIndex, "group", g);
    gauge("redraft.raft.apply.lag", "Committed entries not yet applied to this node's Redis", source,
        s -> Math.max(0, s.commitIndex() - s.appliedIndex()), "group", g);
    gauge("redraft.raft.log.entries", "Entries in the Raft log", source, RaftMetricsSource::logEntries, "group", g);
    Gauge.builder("redraft.raft.log.size", source, s -> s.logBytes()).strongReference(true).tag("group", g)
        .baseUnit("bytes").description("Size of the Raft log on disk").register(registry);
    FunctionCounter.builder("redraft.raft.elections.started", source, s -> s.electionsStarted()).tag("group", g)
        .description("Elections (pre-vote rounds) this node's election timer started because the leader was"
            + " silent for an election timeout; those Ratis' own timer started are not counted")
        .register(registry);
    FunctionCounter.builder("redraft.writes.forwarded", source, s -> s.forwardedProposals()).tag("group", g)
        .description("Write proposals (each a group entry of one or more client writes) this node forwarded to"
            + " the group's leader, because a client sent them to a node that does not lead the group")
        .register(registry);
  }

  // ---- node

  /**
   * Registers the node's health gauges: readiness, divergence, Redis health (a PING at scrape
   * time) and the number of client sessions kept in Redis.
   */
  public void bindNode(int group, BooleanSupplier ready, BooleanSupplier diverged, BooleanSupplier redisHealthy,
      LongSupplier clientSessions) {
    String g = Integer.toString(group);
    gauge("redraft.node.ready", "1 if this node serves reads and writes", ready, b -> b.getAsBoolean() ? 1 : 0,
        "group", g);
    gauge("redraft.node.diverged", "1 if this node's Redis diverged from the log and awaits repair", diverged,
        b -> b.getAsBoolean() ? 1 : 0, "group", g);
    gauge("redraft.redis.up", "1 if this node's Redis answers PING", redisHealthy, b -> {
      long start = System.nanoTime();
      boolean up = b.getAsBoolean();
      redisRoundTrip("ping", System.nanoTime() - start);
      return up ? 1 : 0;
    }, "group", g);
    gauge("redraft.client.sessions", "Client sessions (exactly-once state) kept in this node's Redis",
        clientSessions, s -> s.getAsLong(), "group", g);
  }

  // ---- snapshots and verification (called by the snapshot and verification code)

  /** A snapshot of this node's state was taken and is durable; {@code took} is how long it took. */
  public void snapshotTaken(Duration took) {
    snapshots.record(took);
  }

  /** One verification of this replica against the others at a VERIFY entry. */
  public void verification(VerificationResult result) {
    verificationCounter(result).increment();
  }

  /** This node's Redis was found to differ from the log (by verification or the applied-index check). */
  public void driftDetected() {
    driftDetected.increment();
  }

  private Counter verificationCounter(VerificationResult result) {
    return Counter.builder("redraft.verifications")
        .description("Replica verifications by result (match, mismatch, error)")
        .tag("result", result.tag()).register(registry);
  }

  private <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).strongReference(true).description(description).tags(tags).register(registry);
  }
}
