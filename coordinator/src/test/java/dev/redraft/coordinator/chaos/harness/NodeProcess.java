package dev.redraft.coordinator.chaos.harness;

import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.NodeStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One coordinator node as a separate JVM ({@code java -jar coordinator/target/redraft-coordinator.jar}),
 * started, paused (SIGSTOP/SIGCONT), killed (SIGKILL) and restarted by PID. Its output goes to
 * {@code coordinator.log} in its directory, appended across restarts. Its wall clock can be skewed
 * from its next start on with libfaketime (the monotonic clock Ratis' timers use is left alone).
 * libfaketime makes every clock call about ten times slower, so a node runs under it only while a
 * clock-skew fault is in force.
 */
public final class NodeProcess implements AutoCloseable {
  static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

  private final int index;
  private final String nodeId;
  private final Path dir;
  private final List<String> command;
  private final List<String> extraFlags = new ArrayList<>();
  private final String redisPassword;
  private String clockOffset;
  private final ManagedChannel channel;
  private final String apiAddress;
  private Process process;
  private boolean paused;
  private int starts;

  /** {@code tls} null: the harness' status calls are plaintext. */
  NodeProcess(int index, String nodeId, Path dir, List<String> command, String redisPassword, String apiAddress,
      SslContext tls) {
    this.index = index;
    this.nodeId = nodeId;
    this.dir = dir;
    this.command = List.copyOf(command);
    this.redisPassword = redisPassword;
    this.apiAddress = apiAddress;
    NettyChannelBuilder channelBuilder = NettyChannelBuilder.forTarget(apiAddress);
    this.channel = (tls == null ? channelBuilder.usePlaintext() : channelBuilder.sslContext(tls)).build();
  }

  /** The slot's name (n1, n2, ...): its host name on the test network and its directory. */
  public String name() {
    return Network.name(index);
  }

  /** The node's Raft id: the slot's name, unless the node was replaced by one with a fresh id. */
  public String nodeId() {
    return nodeId;
  }

  public String apiAddress() {
    return apiAddress;
  }

  public Path dir() {
    return dir;
  }

  public Path log() {
    return dir.resolve("coordinator.log");
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  public synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name() + " is already running (pid " + process.pid() + ")");
    }
    try {
      Files.createDirectories(dir);
      starts++;
      Files.writeString(log(), "==== harness: start #" + starts + " of " + name() + " at " + Instant.now() + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      List<String> full = new ArrayList<>(command);
      full.addAll(extraFlags);
      ProcessBuilder builder = new ProcessBuilder(full)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
      builder.environment().put("REDRAFT_REDIS_PASSWORD", redisPassword);
      if (clockOffset != null) {
        builder.environment().put("LD_PRELOAD", FAKETIME_LIB);
        builder.environment().put("FAKETIME", clockOffset);
        builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
      }
      process = builder.start();
      paused = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name() + ": " + command, e);
    }
  }

  /** Flags added to the command line from the next start on (a later flag wins over an earlier one). */
  public synchronized void setExtraFlags(List<String> flags) {
    extraFlags.clear();
    extraFlags.addAll(flags);
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized boolean isPaused() {
    return paused;
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** SIGKILL: the process dies at once, as in a crash; its Raft log keeps what it had fsynced. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      if (paused) {
        signal("CONT");
      }
      process.destroyForcibly();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException(name() + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    paused = false;
  }

  /**
   * SIGTERM, as an operator or a service manager stops a node, then waits up to {@code bound} for the
   * process to exit. Returns how long it took, or empty if it still runs then (it is left running:
   * {@link #kill()} or {@link #close()} ends it).
   */
  public synchronized Optional<java.time.Duration> terminate(java.time.Duration bound) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException(name() + " is not running: cannot send SIGTERM");
    }
    if (paused) {
      signal("CONT");
      paused = false;
    }
    long start = System.nanoTime();
    process.destroy(); // SIGTERM on Linux
    try {
      if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        return Optional.of(java.time.Duration.ofNanos(System.nanoTime() - start));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  /** SIGSTOP: the JVM freezes; its sockets stay open but nothing answers. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT. */
  public synchronized void resume() {
    if (paused) {
      signal("CONT");
      paused = false;
    }
  }

  private void signal(String name) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException(name() + " is not running: cannot send SIG" + name);
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** From the next start on, runs under libfaketime with this wall-clock offset ("+30s", "-20s"); null: the real clock. */
  public synchronized void setClockOffset(String offset) {
    clockOffset = offset;
  }

  public synchronized String clockOffset() {
    return clockOffset;
  }

  /** True once the node accepts connections on its API address (it is up, member of a group or not). */
  public boolean listening() {
    int colon = apiAddress.lastIndexOf(':');
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(apiAddress.substring(0, colon),
          Integer.parseInt(apiAddress.substring(colon + 1))), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The node's own view of itself, or empty if it does not answer within a second. */
  public Optional<MemberStatus> status() {
    return status(0);
  }

  /** The node's own view of its replica of Raft group {@code group} (a sharded cluster), or empty. */
  public Optional<MemberStatus> status(int group) {
    if (!isRunning() || isPaused()) {
      return Optional.empty();
    }
    try {
      return Optional.of(AdminGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
          .nodeStatus(NodeStatusRequest.newBuilder().setGroup(group).build()).getMember());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Lines of this node's log that match, e.g. for a crash scan. */
  public List<String> logLines() {
    try {
      return Files.exists(log()) ? Files.readAllLines(log(), StandardCharsets.UTF_8) : new ArrayList<>();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    kill();
    channel.shutdownNow();
  }
}
