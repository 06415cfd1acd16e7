package dev.redraft.coordinator.chaos.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One directed network link between two nodes, on loopback only: a TCP proxy that listens where
 * node A believes node B's Raft port is and forwards to B's real port. While the link is cut it is
 * a black hole: connections are accepted and bytes read, but nothing is delivered in either
 * direction (as with a dropped route; the sender only notices through its timeouts). When the link
 * heals, the connections that lived through the cut are closed (their byte streams have holes) and
 * the nodes reconnect.
 *
 * <p>A Ratis RPC and its reply travel on the connection its caller opened, so cutting A->B stops
 * A's requests to B (and their replies) while B's requests to A still work: a one-way partition.
 */
public final class LinkProxy implements AutoCloseable {
  /** Most bytes a recording link keeps (both directions, all connections); later bytes are not kept. */
  private static final int RECORD_LIMIT = 32 * 1024 * 1024;

  private final String name;
  /** Null: not recording. Else one stream per connection and direction, in the order they opened. */
  private final List<ByteArrayOutputStream> recordings;
  private final AtomicLong recordedBytes = new AtomicLong();
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  LinkProxy(String name, InetSocketAddress listen, InetSocketAddress target) {
    this(name, listen, target, false);
  }

  /**
   * A link that, if {@code record}, also keeps a copy of every byte it carries (up to 32 MiB), for
   * tests of what crosses the wire; see {@link #recorded()}.
   */
  public LinkProxy(String name, InetSocketAddress listen, InetSocketAddress target, boolean record) {
    this.recordings = record ? new CopyOnWriteArrayList<>() : null;
    if (!listen.getAddress().isLoopbackAddress() || !target.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("test links stay on loopback: " + listen + " -> " + target);
    }
    this.name = name;
    this.target = target;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(listen, 50);
    } catch (IOException e) {
      throw new UncheckedIOException("link " + name + ": cannot listen on " + listen, e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "link-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static InetAddress loopback(int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {127, (byte) b, (byte) c, (byte) d});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port this link listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every byte stream this link carried so far, one per connection and direction (empty unless recording). */
  public List<byte[]> recorded() {
    if (recordings == null) {
      return List.of();
    }
    List<byte[]> streams = new ArrayList<>();
    for (ByteArrayOutputStream recording : recordings) {
      synchronized (recording) {
        streams.add(recording.toByteArray());
      }
    }
    return streams;
  }

  boolean isCut() {
    return cut;
  }

  /** Stops delivering anything on this link, in both directions of its connections. */
  void cut() {
    cut = true;
    connections.forEach(c -> c.sawCut = true);
  }

  /** Delivers again; connections that lived through the cut are closed so the nodes reconnect. */
  void heal() {
    cut = false;
    for (Connection c : List.copyOf(connections)) {
      if (c.sawCut) {
        c.close();
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket inbound;
      try {
        inbound = server.accept();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("link " + name + ": accept failed: " + e);
        }
        return;
      }
      Connection connection = new Connection(inbound);
      connections.add(connection);
      connection.start();
    }
  }

  private final class Connection {
    final Socket inbound;
    volatile Socket outbound;
    volatile boolean sawCut = cut;

    Connection(Socket inbound) {
      this.inbound = inbound;
    }

    void start() {
      Thread opener = new Thread(() -> {
        try {
          if (!sawCut) {
            Socket out = new Socket();
            out.connect(target, 2_000);
            out.setTcpNoDelay(true);
            outbound = out;
            inbound.setTcpNoDelay(true);
            pump(out.getInputStream(), inbound.getOutputStream(), "<-");
          }
          pump(inbound.getInputStream(), outbound == null ? null : outbound.getOutputStream(), "->");
        } catch (IOException e) {
          close();
        }
      }, "link-" + name + "-conn");
      opener.setDaemon(true);
      opener.start();
    }

    /** Copies bytes until either side closes; drops them while the link is cut (or was cut at accept). */
    private void pump(InputStream in, OutputStream out, String direction) {
      ByteArrayOutputStream recording = recordings == null ? null : new ByteArrayOutputStream();
      if (recording != null) {
        recordings.add(recording);
      }
      Runnable copy = () -> {
        byte[] buffer = new byte[16 * 1024];
        try {
          int n;
          while ((n = in.read(buffer)) >= 0) {
            if (recording != null && recordedBytes.addAndGet(n) <= RECORD_LIMIT) {
              synchronized (recording) {
                recording.write(buffer, 0, n);
              }
            }
            if (!cut && !sawCut && out != null) {
              out.write(buffer, 0, n);
              out.flush();
            }
          }
        } catch (IOException e) {
          // closed by the other pump, by heal(), or by a peer
        } finally {
          close();
        }
      };
      if (direction.equals("->")) {
        copy.run();
      } else {
        Thread thread = new Thread(copy, "link-" + name + "-reply");
        thread.setDaemon(true);
        thread.start();
      }
    }

    void close() {
      connections.remove(this);
      closeQuietly(inbound);
      closeQuietly(outbound);
    }
  }

  private static void closeQuietly(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
    List.copyOf(connections).forEach(Connection::close);
  }
}
