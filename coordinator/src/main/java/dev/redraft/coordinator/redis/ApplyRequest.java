package dev.redraft.coordinator.redis;

import java.util.List;

/**
 * One committed log entry as Redis applies it.
 *
 * @param index the entry's log index: becomes the applied-index marker
 * @param clientId the client session, or empty for Redraft's own entries
 * @param sequence the session's sequence number (0 without a session)
 * @param logicalTimeMs the leader's clock fixed for the entry: keys whose deadline is at or before it expire
 * @param commands applied in order, all or nothing
 * @param verify a VERIFY entry: no commands; Redis' digest is taken right after it
 */
public record ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands,
    boolean verify) {
  public ApplyRequest {
    commands = List.copyOf(commands);
  }

  public ApplyRequest(long index, String clientId, long sequence, long logicalTimeMs, List<RedisCommand> commands) {
    this(index, clientId, sequence, logicalTimeMs, commands, false);
  }

  /** A VERIFY entry at {@code index}. */
  public static ApplyRequest verify(long index) {
    return new ApplyRequest(index, "", 0, 0, List.of(), true);
  }
}
