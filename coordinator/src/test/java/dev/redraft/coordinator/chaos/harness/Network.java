package dev.redraft.coordinator.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The Raft network of a test cluster, built from loopback TCP proxies so it can be cut without
 * root: one {@link LinkProxy} per ordered pair of nodes. Every node knows its peers by name
 * (n1, n2, ...); each node's JVM gets its own hosts file ({@code -Djdk.net.hosts.file}) that
 * resolves its own name to 127.0.0.1 and every other node's name to the address of the proxy for
 * that link: 127.77.(from+1).(to+1), on the peer's real port. Client traffic (the public API) goes
 * directly to each node and is never cut, so clients can still reach a partitioned node.
 */
public final class Network implements AutoCloseable {
  private final int size;
  private final LinkProxy[][] links;

  Network(List<Integer> raftPorts) {
    this(raftPorts, false);
  }

  /** {@code record}: every link keeps a copy of what it carries ({@link #recordedTraffic()}). */
  Network(List<Integer> raftPorts, boolean record) {
    this.size = raftPorts.size();
    this.links = new LinkProxy[size][size];
    try {
      for (int from = 0; from < size; from++) {
        for (int to = 0; to < size; to++) {
          if (from != to) {
            links[from][to] = new LinkProxy(name(from) + "->" + name(to),
                new InetSocketAddress(LinkProxy.loopback(77, from + 1, to + 1), raftPorts.get(to)),
                new InetSocketAddress(LinkProxy.loopback(0, 0, 1), raftPorts.get(to)), record);
          }
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  static String name(int node) {
    return "n" + (node + 1);
  }

  /** Writes node {@code node}'s hosts file and returns it. */
  Path hostsFile(int node, Path dir) {
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    for (int other = 0; other < size; other++) {
      String address = other == node ? "127.0.0.1" : "127.77." + (node + 1) + "." + (other + 1);
      hosts.append(address).append(' ').append(name(other)).append('\n');
    }
    Path file = dir.resolve("hosts");
    try {
      Files.writeString(file, hosts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Every byte stream the Raft links carried (one per connection and direction); empty unless recording. */
  public List<byte[]> recordedTraffic() {
    List<byte[]> streams = new ArrayList<>();
    for (LinkProxy[] row : links) {
      for (LinkProxy link : row) {
        if (link != null) {
          streams.addAll(link.recorded());
        }
      }
    }
    return streams;
  }

  /** Cuts the link from one node to another (its requests, and their replies); the reverse direction stays. */
  public void cutOneWay(int from, int to) {
    links[from][to].cut();
  }

  /** Cuts every link between the two sides, both ways. */
  public void partition(Collection<Integer> sideA, Collection<Integer> sideB) {
    for (int a : sideA) {
      for (int b : sideB) {
        if (a != b) {
          links[a][b].cut();
          links[b][a].cut();
        }
      }
    }
  }

  /** Cuts a node off from every other node. */
  public void isolate(int node) {
    List<Integer> others = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (i != node) {
        others.add(i);
      }
    }
    partition(Set.of(node), others);
  }

  public void healAll() {
    for (LinkProxy[] row : links) {
      for (LinkProxy link : row) {
        if (link != null) {
          link.heal();
        }
      }
    }
  }

  /** The cut links, e.g. [n1->n2, n2->n1]; empty when the network is whole. */
  public List<String> cutLinks() {
    List<String> cut = new ArrayList<>();
    for (int from = 0; from < size; from++) {
      for (int to = 0; to < size; to++) {
        if (links[from][to] != null && links[from][to].isCut()) {
          cut.add(name(from) + "->" + name(to));
        }
      }
    }
    return cut;
  }

  @Override
  public void close() {
    for (LinkProxy[] row : links) {
      for (LinkProxy link : row) {
        if (link != null) {
          link.close();
        }
      }
    }
  }
}
