package dev.redraft.coordinator.errors;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * A key of the request is in a slot its group does not own (any more, or not yet): a slot move between
 * groups (docs/design/sharding.md). Nothing was applied or read there. {@link #target()}: the group the
 * slot moved to, or empty while it is on its way to {@link #refusedBy()}. The node sends the request on
 * (KvOperations); a caller that sees this error may retry it as it is.
 */
public class SlotMovedException extends UnavailableException {
  /** How read.lua answers a read of a key whose slot is elsewhere (one command's reply). */
  private static final byte[] READ_REPLY_PREFIX = "-REDRAFT-MOVED ".getBytes(StandardCharsets.US_ASCII);

  private final int refusedBy;
  private final int target;

  public SlotMovedException(int refusedBy, OptionalInt target) {
    super("TRYAGAIN a key's slot " + (target.isPresent() ? "moved from group " + refusedBy + " to group "
        + target.getAsInt() : "is being moved to group " + refusedBy + " and is not there yet")
        + " (an online slot move); nothing was applied: retry");
    this.refusedBy = refusedBy;
    this.target = target.orElse(-1);
  }

  /** The group whose log refused the request. */
  public int refusedBy() {
    return refusedBy;
  }

  /** The group the slot moved to; empty while it is still on its way to {@link #refusedBy()}. */
  public OptionalInt target() {
    return target < 0 ? OptionalInt.empty() : OptionalInt.of(target);
  }

  /** From a write's refusal ("moved:" and the target group, or nothing while on its way). */
  public static SlotMovedException ofRefusal(int group, String refused) {
    String target = refused.substring("moved:".length());
    return new SlotMovedException(group, target.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(target)));
  }

  /** Null unless {@code reply} is read.lua's answer for a key of a slot elsewhere. */
  public static SlotMovedException ofReadReply(int group, byte[] reply) {
    if (reply.length < READ_REPLY_PREFIX.length
        || !java.util.Arrays.equals(reply, 0, READ_REPLY_PREFIX.length, READ_REPLY_PREFIX, 0, READ_REPLY_PREFIX.length)) {
      return null;
    }
    String state = new String(reply, READ_REPLY_PREFIX.length, reply.length - READ_REPLY_PREFIX.length - 2,
        StandardCharsets.US_ASCII);
    return new SlotMovedException(group, state.equals("incoming") ? OptionalInt.empty()
        : OptionalInt.of(Integer.parseInt(state)));
  }
}
