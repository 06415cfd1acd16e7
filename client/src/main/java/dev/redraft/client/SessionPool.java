package dev.redraft.client;

import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lanes of one client: client id = a random UUID + "-" + lane number + "@" + the time the lane
 * opened (this clock, ms), which lets the cluster refuse a late retry of the lane's first write once
 * the lane's session is gone instead of taking it for a new session. A write takes a free
 * lane (a new one if none is free) and gives it back when it is finished, so concurrent writes
 * never share a session and a session never has two writes in flight.
 */
final class SessionPool {
  private final String base = UUID.randomUUID().toString();
  private final AtomicInteger lanesCreated = new AtomicInteger();
  // LIFO: the same few lanes stay in use, so the server tracks few sessions.
  private final Deque<Session> free = new ConcurrentLinkedDeque<>();

  Session acquire() {
    Session session = free.pollFirst();
    return session != null ? session
        : new Session(base + "-" + lanesCreated.incrementAndGet() + "@" + System.currentTimeMillis());
  }

  /** The write finished with a definite outcome: the lane can carry the next write. */
  void release(Session session) {
    free.addFirst(session);
  }

  /**
   * The write's outcome is unknown, so an attempt may still be on its way to the leader. The lane is
   * dropped rather than reused, so its next sequence can never overtake that attempt.
   */
  void retire(Session session) {
    // Nothing to do: the lane is simply not returned to the pool.
  }

  int lanesCreated() {
    return lanesCreated.get();
  }
}
