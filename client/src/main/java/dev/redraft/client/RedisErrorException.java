package dev.redraft.client;

/**
 * Redis answered the command with an error reply (for example WRONGTYPE). The message is Redis' own.
 * The command reached Redis and was rejected there: retrying it unchanged gives the same error.
 */
public class RedisErrorException extends RedraftException {
  public RedisErrorException(String redisMessage) {
    super(redisMessage);
  }

  /** The first word of Redis' message, e.g. {@code WRONGTYPE} or {@code ERR}. */
  public String errorCode() {
    String message = getMessage();
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
