package dev.redraft.client;

import dev.redraft.api.v1.ResponseHeader;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs one unary call with retries: picks an endpoint per attempt, bounds each attempt and the
 * whole call, backs off between attempts, and learns the leader from every answer. The same
 * request object is sent on every attempt, so a write's retry carries the same session and
 * sequence.
 */
final class RetryingCaller {
  enum Route { LEADER, ANY }

  /** Which failures are retried, and how long one attempt may take. */
  enum Mode {
    /** KV calls and status: {@link RetryClassifier}; each attempt bounded by the policy's attempt timeout. */
    STANDARD,
    /**
     * Admin changes (membership, leadership, snapshots): retried on UNAVAILABLE only (no leader, node
     * down or not ready); anything else is the server's answer. An attempt may use the whole
     * remaining request timeout, since a change such as adding a node that catches up takes a while.
     */
    ADMIN
  }

  /** Starts one attempt on a channel; the observer receives exactly one response or an error. */
  @FunctionalInterface
  interface Attempt<T> {
    void start(ManagedChannel channel, long timeoutNanos, StreamObserver<T> observer);
  }

  private final EndpointPool endpoints;
  private final RetryPolicy policy;
  private final long requestTimeoutNanos;
  private final long connectTimeoutNanos;
  private final ScheduledExecutorService scheduler;
  private final Set<Call<?>> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param connectTimeout how long a call keeps trying while no node has answered at all (every
   *     attempt failed to connect); at most the request timeout
   */
  RetryingCaller(EndpointPool endpoints, RetryPolicy policy, Duration requestTimeout, Duration connectTimeout,
                 ScheduledExecutorService scheduler) {
    this.endpoints = endpoints;
    this.policy = policy;
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.connectTimeoutNanos = Math.min(connectTimeout.toNanos(), requestTimeoutNanos);
    this.scheduler = scheduler;
  }

  <T> CompletableFuture<T> call(Route route, Attempt<T> attempt, Function<T, ResponseHeader> headerOf) {
    return call(route, Mode.STANDARD, attempt, headerOf);
  }

  <T> CompletableFuture<T> call(Route route, Mode mode, Attempt<T> attempt, Function<T, ResponseHeader> headerOf) {
    return call(route, null, mode, attempt, headerOf);
  }

  /**
   * @param preferred where the first attempt goes (e.g. the leader of the group that owns a request's
   *     keys), or null; further attempts take {@code route} as usual
   */
  <T> CompletableFuture<T> call(Route route, String preferred, Mode mode, Attempt<T> attempt,
      Function<T, ResponseHeader> headerOf) {
    Call<T> call = new Call<>(route, preferred, mode, attempt, headerOf);
    active.add(call);
    call.future.whenComplete((value, error) -> active.remove(call));
    call.startAttempt();
    return call.future;
  }

  /** Fails every call still running; their attempts end when the channels are shut down. */
  void close() {
    closed = true;
    for (Call<?> call : active) {
      call.future.completeExceptionally(closedException());
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("the Redraft client was closed; a write in flight may or may not "
        + "have been applied");
  }

  /**
   * One call. Attempts run one at a time, except that an attempt unanswered for the policy's
   * {@code hedgeAfter} gets a copy on another endpoint (a frozen or cut-off node answers nothing
   * until the attempt timeout), and that copy's retries go on while the first still waits: at most
   * two attempts are out at once, on different endpoints, and the first answer wins. Methods that
   * touch the state are synchronized: attempts answer on gRPC's threads.
   */
  private final class Call<T> {
    final CompletableFuture<T> future = new CompletableFuture<>();
    final Route route;
    /** Where the first attempt goes, or null. */
    final String preferred;
    final Mode mode;
    final Attempt<T> attempt;
    final Function<T, ResponseHeader> headerOf;
    final long startNanos = System.nanoTime();
    final long deadlineNanos = startNanos + requestTimeoutNanos;
    int attempts;
    /** Attempts started and not answered yet, and the endpoints they went to. */
    int running;
    final Set<String> runningAt = new java.util.HashSet<>();
    /** Counts rounds (an attempt and its hedge): a hedge timer of an earlier round does nothing. */
    int round;
    boolean mayHaveBeenApplied;
    /** Whether any node answered (a response or a status of its own), as opposed to no connection. */
    boolean anyAnswer;
    Status lastStatus;
    String lastEndpoint;
    /** A failure that is the server's answer (not retried), kept while another attempt still runs. */
    Status definitive;

    Call(Route route, String preferred, Mode mode, Attempt<T> attempt, Function<T, ResponseHeader> headerOf) {
      this.route = route;
      this.preferred = preferred;
      this.mode = mode;
      this.attempt = attempt;
      this.headerOf = headerOf;
    }

    synchronized void startAttempt() {
      if (future.isDone()) {
        return;
      }
      if (closed) {
        future.completeExceptionally(closedException());
        return;
      }
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        Status status = lastStatus != null ? lastStatus
            : Status.DEADLINE_EXCEEDED.withDescription("request timeout reached before the first attempt");
        fail(status, true);
        return;
      }
      String endpoint = attempts == 0 && preferred != null ? preferred
          : route == Route.LEADER ? endpoints.forWrite() : endpoints.forRead();
      if (runningAt.contains(endpoint)) {
        endpoint = endpoints.other(endpoint);
      }
      if (endpoint == null || running >= 2) {
        return;  // the attempt still out there ends the call, or retries
      }
      round++;
      launch(endpoint, remaining);
      if (mode == Mode.STANDARD && policy.hedges() && attempts < policy.maxAttempts()
          && policy.hedgeAfter().toNanos() < remaining) {
        int hedgedRound = round;
        try {
          scheduler.schedule(() -> hedge(hedgedRound), policy.hedgeAfter().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          // closing: the attempt under way ends the call
        }
      }
    }

    /** The attempt of {@code hedgedRound} is still unanswered: the same call goes to another endpoint too. */
    synchronized void hedge(int hedgedRound) {
      long remaining = deadlineNanos - System.nanoTime();
      if (future.isDone() || closed || hedgedRound != round || running != 1 || remaining <= 0
          || attempts >= policy.maxAttempts()) {
        return;
      }
      String other = endpoints.other(runningAt.iterator().next());
      if (other != null) {
        launch(other, remaining);
      }
    }

    private void launch(String endpoint, long remaining) {
      attempts++;
      long timeout = mode == Mode.ADMIN ? remaining : Math.min(policy.attemptTimeout().toNanos(), remaining);
      ManagedChannel channel;
      try {
        channel = endpoints.channel(endpoint);
      } catch (IllegalStateException closedPool) {
        future.completeExceptionally(closedPool);
        return;
      } catch (RuntimeException badEndpoint) {
        running++;
        runningAt.add(endpoint);
        onAttemptFailed(endpoint, Status.UNAVAILABLE.withDescription("cannot open a channel to "
            + endpoint + ": " + badEndpoint.getMessage()).asRuntimeException());
        return;
      }
      running++;
      runningAt.add(endpoint);
      try {
        attempt.start(channel, timeout, new AttemptObserver(endpoint));
      } catch (RuntimeException e) {
        onAttemptFailed(endpoint, e);
      }
    }

    synchronized void onAttemptFailed(String endpoint, Throwable error) {
      running--;
      runningAt.remove(endpoint);
      Status status = Status.fromThrowable(error);
      Metadata trailers = Status.trailersFromThrowable(error);
      lastStatus = status;
      lastEndpoint = endpoint;
      if (RetryClassifier.leavesWriteOutcomeUnknown(status)) {
        mayHaveBeenApplied = true;
      }
      if (!RetryClassifier.isConnectFailure(status)) {
        anyAnswer = true;
      }
      RetryClassifier.Decision decision = mode == Mode.ADMIN
          ? RetryClassifier.classifyAdmin(status) : RetryClassifier.classify(status, trailers);
      if (decision.switchEndpoint()) {
        endpoints.reportUnavailable(endpoint);
      }
      if (!decision.retry() && definitive == null) {
        definitive = status;
      }
      if (future.isDone()) {
        return;
      }
      // With another attempt still out, a definitive answer or the end of the retries waits for it.
      if (definitive != null) {
        if (running == 0) {
          fail(definitive, false);
        }
        return;
      }
      long delay = policy.backoffNanos(attempts);
      long next = System.nanoTime() + delay;
      if (attempts >= policy.maxAttempts() || next >= deadlineNanos
          || (!anyAnswer && next - startNanos >= connectTimeoutNanos)) {
        if (running == 0) {
          fail(status, true);
        }
        return;
      }
      try {
        scheduler.schedule(this::startAttempt, delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        future.completeExceptionally(closedException());
      }
    }

    void fail(Status status, boolean retriesExhausted) {
      future.completeExceptionally(new CallFailedException(status,
          lastEndpoint != null ? lastEndpoint : "(none)", attempts, System.nanoTime() - startNanos,
          retriesExhausted, mayHaveBeenApplied, !anyAnswer));
    }

    synchronized void answered(String endpoint, T response) {
      running--;
      runningAt.remove(endpoint);
      endpoints.observe(headerOf.apply(response));
      future.complete(response);
    }

    private final class AttemptObserver implements StreamObserver<T> {
      private final String endpoint;
      private T response;

      AttemptObserver(String endpoint) {
        this.endpoint = endpoint;
      }

      @Override
      public void onNext(T value) {
        response = value;
      }

      @Override
      public void onError(Throwable error) {
        onAttemptFailed(endpoint, error);
      }

      @Override
      public void onCompleted() {
        if (response == null) {
          onAttemptFailed(endpoint, Status.INTERNAL
              .withDescription("the server completed the call without a response").asRuntimeException());
          return;
        }
        answered(endpoint, response);
      }
    }
  }
}
