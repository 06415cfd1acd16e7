package dev.redraft.coordinator.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients this node proposes writes through, one set per leader: each proposal goes to a
 * client aimed at the leader this node's own Raft state names, so after an election the next
 * proposal goes straight to the new leader.
 *
 * <p>Why not let one set of Ratis clients find the leader themselves: a client learns of a new
 * leader only when a request to the old one fails, and when the old one is cut off that takes the
 * request timeout; a fresh client starts wherever the last successful reply in this JVM came from
 * (or the group's first peer). The fault runs showed writes
 * stalled for the whole 8 s partition hold, and in one run for 15 s after the majority had
 * elected a new leader, while every client in turn waited on the isolated one.
 *
 * <p>A client whose leader lost its leadership keeps working on what it already sent (Ratis retries
 * and follows NotLeader hints; sessions keep a write exactly-once). If that node leads again it gets a
 * fresh set and the old one is closed: an ordered Ratis client answers in order, so a new proposal
 * on a client still holding one sent during the fault waited for it (fault runs: writes re-sent to
 * the new leader took 5 s on such clients, see {@link ForwardedWrites}, which has already re-sent
 * what they held). A set aimed at a node no longer a member is closed at a later leader change.
 *
 * <p>Each member also has a spare set, made off the callers' threads and never used: a leader change
 * takes the new leader's spare instead of making clients while every write waits (a leader this node
 * learns of gets its spare at once, before a write needs it). Making eight
 * clients with TLS took ~850 ms on a loaded machine (fault suite: writes through both followers, and
 * the re-sends, resumed 0.85 s after they learned of the new leader). Without a spare ready (a node
 * just started, or a leader elected while its spare is still queued behind others'), a write waits
 * for one new client at most (unless that build fails or the leader changes meanwhile): slots not made
 * yet lend one the set has, and the rest are made in the background, before any spare. Each client
 * builds its own TLS context (~15 ms idle, 120-590 ms on a loaded machine): filled one slot per write,
 * a restarted node's writes waited for eight of them in turn (fault suite: a pinned writer went 3.2 s
 * without an answer, against its 3 s bound).
 *
 * @param <C> the client type (Ratis' RaftClient; tests use their own)
 */
final class LeaderClients<C extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderClients.class);
  /** Making a set on the writes' path this slow is worth a line in the log. */
  private static final long SLOW_SET_MS = 100;

  /** A client handed out for one proposal; {@link #replace} takes it back if it broke. */
  record Lease<C>(String leader, int slot, C client) {}

  private final String selfId;
  private final int perLeader;
  private final Supplier<String> knownLeader;
  private final Supplier<Set<String>> members;
  private final BiFunction<String, Integer, C> factory;
  private final Executor background;
  private final Executor fills;
  private final Map<String, C[]> byLeader = new HashMap<>();
  /** Never-used sets, one per member, ready for the moment it leads. */
  private final Map<String, C[]> spares = new HashMap<>();
  private final Set<String> sparesInMaking = new HashSet<>();
  /** Sets in use whose empty slots are being made in the background. */
  private final Set<C[]> fillsInMaking = Collections.newSetFromMap(new IdentityHashMap<>());
  private String lastLeader;
  private int next;
  private boolean closed;

  /**
   * @param knownLeader this node's view of the leader's id, or null during an election
   * @param members the ids in the current configuration (voters and listeners)
   * @param factory creates a client aimed at the given leader (the slot is for names in logs)
   * @param background where spare sets are made
   * @param fills where the empty slots of sets in use are made (not queued behind spares)
   */
  LeaderClients(String selfId, int perLeader, Supplier<String> knownLeader, Supplier<Set<String>> members,
      BiFunction<String, Integer, C> factory, Executor background, Executor fills) {
    this.background = background;
    this.fills = fills;
    this.selfId = selfId;
    this.perLeader = perLeader;
    this.knownLeader = knownLeader;
    this.members = members;
    this.factory = factory;
  }

  /** A client aimed at the current leader; during an election, at the last known one (or this node). */
  Lease<C> next() {
    List<C> retired = new ArrayList<>();
    Lease<C> lease = null;
    RuntimeException notMade = null;
    boolean changed;
    C[] toFill = null;
    String leader;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the write clients of node " + selfId + " are closed (the node is stopping)");
      }
      leader = knownLeader.get();
      if (leader == null || leader.isEmpty()) {
        leader = lastLeader != null ? lastLeader : selfId;
      }
      changed = !leader.equals(lastLeader);
      lastLeader = leader;
      C[] clients = byLeader.get(leader);
      if (clients != null && changed) {
        retired.addAll(Arrays.asList(clients));  // from an earlier stint of that node as leader
        clients = null;
      }
      if (clients == null) {
        clients = spares.remove(leader);
        if (clients == null) {
          clients = emptySet();
        }
        byLeader.put(leader, clients);
        retireSetsOfFormerMembers(retired);
      }
      int slot = madeSlotFrom(clients, Math.floorMod(next++, perLeader));
      try {
        if (clients[slot] == null) {
          long start = System.nanoTime();
          clients[slot] = factory.apply(leader, slot);
          long tookMs = (System.nanoTime() - start) / 1_000_000;
          if (tookMs >= SLOW_SET_MS) {
            LOG.info("node {}: a write waited {} ms for a new write client aimed at {} (no spare set was ready)",
                selfId, tookMs, leader);
          }
        }
        lease = new Lease<>(leader, slot, clients[slot]);
      } catch (RuntimeException e) {
        notMade = e;  // the slot stays empty for the next call; what was retired is still closed below
      }
      if (firstEmpty(clients) >= 0 && fillsInMaking.add(clients)) {
        toFill = clients;
      }
    }
    closeLater(retired);
    if (toFill != null) {
      fillLater(leader, toFill);
    }
    if (changed) {
      prepareSpares();
    }
    if (notMade != null) {
      throw notMade;
    }
    return lease;
  }

  /** {@code slot} if its client is made, else the first made slot after it, else {@code slot}. */
  private int madeSlotFrom(C[] clients, int slot) {
    for (int i = 0; i < perLeader; i++) {
      int candidate = (slot + i) % perLeader;
      if (clients[candidate] != null) {
        return candidate;
      }
    }
    return slot;
  }

  /**
   * Makes, in the background, the empty slots of a set in use; stops once that set's leader is no
   * longer the one this node knows of.
   */
  private void fillLater(String leader, C[] clients) {
    try {
      fills.execute(() -> fill(leader, clients));
    } catch (RejectedExecutionException stopping) {
      synchronized (this) {
        fillsInMaking.remove(clients);
      }
    }
  }

  /**
   * Each pass finds an empty slot and ends the fill in one step under the lock, so a slot
   * {@link #replace} empties while the fill runs is made by it (replace queues no second fill).
   */
  private void fill(String leader, C[] clients) {
    while (true) {
      int slot;
      synchronized (this) {
        slot = closed || byLeader.get(leader) != clients || !leader.equals(lastLeader) ? -1 : firstEmpty(clients);
        if (slot < 0) {
          // Done, or no longer handed out (a node that leads again gets a fresh set anyway).
          fillsInMaking.remove(clients);
          return;
        }
      }
      C made;
      try {
        made = factory.apply(leader, slot);
      } catch (RuntimeException e) {
        LOG.debug("node {}: making write clients for {} failed: {}", selfId, leader, e.toString());
        synchronized (this) {
          fillsInMaking.remove(clients);  // the next write that finds an empty slot queues a fill again
        }
        return;
      }
      boolean kept;
      synchronized (this) {
        kept = !closed && byLeader.get(leader) == clients && clients[slot] == null;
        if (kept) {
          clients[slot] = made;
        }
      }
      if (!kept) {
        closeLater(List.of(made));
      }
    }
  }

  private static int firstEmpty(Object[] clients) {
    for (int slot = 0; slot < clients.length; slot++) {
      if (clients[slot] == null) {
        return slot;
      }
    }
    return -1;
  }

  /**
   * This node learned of a new leader: its spare set is made now if it has none, before a write needs
   * one (a node just started has no set at all; its first forwarded write waited for a client, 100-450 ms
   * in fault runs). Not for this node itself: it proposes its own writes without a client.
   */
  void leaderChanged(String leader) {
    synchronized (this) {
      if (closed || leader == null || leader.equals(selfId) || leader.equals(lastLeader) || spares.containsKey(leader)
          || !members.get().contains(leader) || !sparesInMaking.add(leader)) {
        return;
      }
    }
    queueSpare(leader);
  }

  /** Queues the making of {@code member}'s spare set; the caller has put it in {@link #sparesInMaking}. */
  private void queueSpare(String member) {
    try {
      background.execute(() -> makeSpare(member));
    } catch (RejectedExecutionException stopping) {
      synchronized (this) {
        sparesInMaking.remove(member);
      }
    }
  }

  /**
   * Makes, in the background, a spare set for every member that has none; the current leader's is
   * made at a later change (it uses its set now).
   */
  private void prepareSpares() {
    List<String> missing = new ArrayList<>();
    synchronized (this) {
      for (String member : members.get()) {
        if (!closed && !spares.containsKey(member) && !member.equals(lastLeader) && sparesInMaking.add(member)) {
          missing.add(member);
        }
      }
    }
    missing.forEach(this::queueSpare);
  }

  private void makeSpare(String member) {
    C[] set = emptySet();
    boolean kept = false;
    try {
      for (int slot = 0; slot < perLeader; slot++) {
        synchronized (this) {
          if (closed || member.equals(lastLeader)) {
            // It leads since this was queued, and has a set: its spare is made at a later change, and the
            // spares still queued behind this one (the likely next leaders') are not held up.
            return;
          }
        }
        set[slot] = factory.apply(member, slot);
      }
      synchronized (this) {
        kept = !closed && !spares.containsKey(member) && members.get().contains(member);
        if (kept) {
          spares.put(member, set);
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("node {}: making spare write clients for {} failed: {}", selfId, member, e.toString());
    } finally {
      synchronized (this) {
        sparesInMaking.remove(member);
      }
      if (!kept) {
        closeLater(Arrays.asList(set));  // what was made of it (a set stopped halfway, or not kept)
      }
    }
  }

  /**
   * Ratis' ordered client closes its sliding window for good once one request fails for good (every
   * later call then fails): the caller hands such a client back, and its slot is made again in the
   * background (meanwhile the slot lends another of the set's clients).
   */
  void replace(Lease<C> lease) {
    C[] toFill = null;
    synchronized (this) {
      C[] clients = byLeader.get(lease.leader());
      if (closed || clients == null || clients[lease.slot()] != lease.client()) {
        return;
      }
      clients[lease.slot()] = null;
      if (fillsInMaking.add(clients)) {
        toFill = clients;
      }
    }
    closeLater(List.of(lease.client()));
    if (toFill != null) {
      fillLater(lease.leader(), toFill);
    }
  }

  /** How many leaders this node keeps clients for (for tests and metrics). */
  synchronized int leaderCount() {
    return byLeader.size();
  }

  /** A set whose clients are made later: the first while a write waits, the others by a fill. */
  @SuppressWarnings("unchecked")
  private C[] emptySet() {
    return (C[]) new AutoCloseable[perLeader];
  }

  /** Takes out the sets aimed at nodes no longer in the configuration; the caller closes them. */
  private void retireSetsOfFormerMembers(List<C> retired) {
    Set<String> current = members.get();
    if (current.isEmpty()) {
      return;  // configuration not readable now: keep everything
    }
    byLeader.entrySet().removeIf(entry -> {
      if (current.contains(entry.getKey())) {
        return false;
      }
      LOG.info("node {}: closing the write clients aimed at {}: it is no longer a member", selfId, entry.getKey());
      retired.addAll(Arrays.asList(entry.getValue()));
      return true;
    });
    spares.entrySet().removeIf(entry -> {
      if (current.contains(entry.getKey())) {
        return false;
      }
      retired.addAll(Arrays.asList(entry.getValue()));
      return true;
    });
  }

  /**
   * Closes off the caller's thread: closing a Ratis client waits for its connections to shut down
   * (seconds when its peer is frozen or cut off), and callers are writes on their way (and the
   * re-sends after a leader change, which waited 5 s behind such a close in a fault run).
   */
  private void closeLater(List<C> clients) {
    if (clients.stream().allMatch(java.util.Objects::isNull)) {
      return;
    }
    Thread closer = new Thread(() -> closeAll(clients), "redraft-close-write-clients-" + selfId);
    closer.setDaemon(true);
    closer.start();
  }

  /**
   * Never called holding this object's lock: closing a Ratis client fails its pending requests on
   * another thread and waits for it, and their callbacks call {@link #replace} (a deadlock otherwise).
   */
  private void closeAll(List<C> clients) {
    for (C client : clients) {
      if (client == null) {
        continue;  // a slot not made yet (or emptied by replace)
      }
      try {
        client.close();
      } catch (Exception e) {
        LOG.debug("node {}: closing a write client failed: {}", selfId, e.toString());
      }
    }
  }

  @Override
  public void close() {
    List<C> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      byLeader.values().forEach(clients -> all.addAll(Arrays.asList(clients)));
      byLeader.clear();
      spares.values().forEach(clients -> all.addAll(Arrays.asList(clients)));
      spares.clear();
    }
    closeAll(all);
  }
}
