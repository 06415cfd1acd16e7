package dev.redraft.client;

import dev.redraft.api.v1.Reply;
import java.util.List;

/**
 * A command of an atomic batch failed, so the whole batch was rolled back: nothing changed. The
 * replies are the ones up to and including the failing command.
 */
public class BatchRolledBackException extends RedraftException {
  private final transient WriteResult result;

  public BatchRolledBackException(WriteResult result) {
    super(describe(result));
    this.result = result;
  }

  /** The server's answer: header, the replies up to the failing command, the log index. */
  public WriteResult result() {
    return result;
  }

  public List<Reply> replies() {
    return result.replies();
  }

  /** Position in the batch of the command that failed, or -1 if no reply is an error. */
  public int failedIndex() {
    List<Reply> replies = result.replies();
    for (int i = 0; i < replies.size(); i++) {
      if (replies.get(i).hasError()) {
        return i;
      }
    }
    return -1;
  }

  private static String describe(WriteResult result) {
    List<Reply> replies = result.replies();
    for (int i = 0; i < replies.size(); i++) {
      if (replies.get(i).hasError()) {
        return "batch rolled back, nothing changed: command " + (i + 1) + " failed: "
            + replies.get(i).getError();
      }
    }
    return "batch rolled back, nothing changed";
  }
}
