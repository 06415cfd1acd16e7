package dev.redraft.client;

/**
 * No endpoint gave an answer within the retry policy and the request timeout: no leader, nodes
 * down or not ready, or the network. Safe to retry later for reads.
 */
public class ClusterUnavailableException extends RedraftException {
  public ClusterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
