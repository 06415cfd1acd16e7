package dev.redraft.client;

/**
 * One exactly-once session ("lane"): a client id whose writes carry strictly increasing sequence
 * numbers, with at most one write in flight. Only the call holding the lane touches it.
 */
final class Session {
  private final String clientId;
  private long lastSequence;

  Session(String clientId) {
    this.clientId = clientId;
  }

  String clientId() {
    return clientId;
  }

  long nextSequence() {
    return ++lastSequence;
  }
}
