package dev.redraft.coordinator.command;

import java.util.List;

/**
 * The stream commands' arguments that decide what Redraft does with them: XREAD must not block
 * (the log cannot wait) and needs STREAMS with as many IDs as keys. XADD and XTRIM are checked by
 * Redis, which refuses bad options before touching data; apply.lua gives XADD's * its ID.
 */
final class StreamArguments {
  private StreamArguments() {}

  /** t_stream.c xreadCommand: COUNT, BLOCK and STREAMS, in any order before the keys. */
  static void checkXread(List<byte[]> argv) {
    for (int i = 1; i < argv.size(); i++) {
      byte[] opt = argv.get(i);
      int moreArgs = argv.size() - i - 1;
      if (Ascii.equalsIgnoreCase(opt, "BLOCK") && moreArgs > 0) {
        throw CommandErrors.syntax("ERR XREAD with BLOCK is not supported by Redraft: it blocks, and"
            + " the replicated log cannot wait; send XREAD without BLOCK and retry when it returns nil");
      } else if (Ascii.equalsIgnoreCase(opt, "COUNT") && moreArgs > 0) {
        CommandErrors.integer(argv.get(++i));
      } else if (Ascii.equalsIgnoreCase(opt, "STREAMS") && moreArgs > 0) {
        if (moreArgs % 2 != 0) {
          throw CommandErrors.syntax("ERR Unbalanced 'xread' list of streams: for each stream key an"
              + " ID or '$' must be specified.");
        }
        return;
      } else {
        throw CommandErrors.syntax();
      }
    }
    throw CommandErrors.syntax();
  }
}
