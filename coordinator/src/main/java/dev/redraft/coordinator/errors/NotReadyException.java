package dev.redraft.coordinator.errors;

/** This node cannot serve: its Redis is unreachable, behind what it must hold, or it is starting. */
public final class NotReadyException extends UnavailableException {
  public NotReadyException(String nodeId, String reason) {
    super("node " + nodeId + " is not ready: " + reason + "; retry on another node");
  }
}
