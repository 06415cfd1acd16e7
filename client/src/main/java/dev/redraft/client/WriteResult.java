package dev.redraft.client;

import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.WriteResponse;
import java.util.List;

/**
 * The answer to a write or an atomic batch.
 *
 * @param header where the answering node stands (term, leader, applied index)
 * @param replies Redis' reply to each command, in order
 * @param logIndex the Raft log index the write was committed at
 * @param duplicate true if this is the stored answer of an earlier attempt of the same write
 * @param rolledBack true if a command of the batch failed and nothing changed (then the replies
 *     stop at the failing command); such a result reaches callers only in
 *     {@link BatchRolledBackException}
 * @param watchFailed true if a key of the batch's {@link Watch} had changed: no command ran and
 *     {@code replies} is empty (see {@link RedraftClient#batchIfUnchanged})
 */
public record WriteResult(ResponseHeader header, List<Reply> replies, long logIndex, boolean duplicate,
                          boolean rolledBack, boolean watchFailed) {
  public WriteResult {
    replies = List.copyOf(replies);
  }

  static WriteResult of(WriteResponse response) {
    return new WriteResult(response.getHeader(), response.getRepliesList(), response.getLogIndex(),
        response.getDuplicate(), response.getRolledBack(), response.getWatchFailed());
  }

  /** The reply to the first (for a single write, the only) command. */
  public Reply reply() {
    if (replies.isEmpty()) {
      throw new RedraftException("the server sent no reply for the write at log index " + logIndex);
    }
    return replies.get(0);
  }
}
