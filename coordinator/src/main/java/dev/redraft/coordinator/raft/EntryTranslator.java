package dev.redraft.coordinator.raft;

import com.google.protobuf.ByteString;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Determinizer;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.RedisCommand;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.LoggedCommand;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.RegisterNodeEntry;
import dev.redraft.log.v1.VerifyEntry;
import dev.redraft.log.v1.WriteEntry;
import dev.redraft.log.v1.WriteProposal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns proposals into log entries (on the leader: validate, then make deterministic) and log
 * entries into what the Redis applier runs (on every node).
 */
final class EntryTranslator {
  /** The log entry format this code writes and the newest it can read. */
  static final int ENTRY_VERSION = 1;
  /** Internal hash of the member directory; user commands can never name it. */
  static final String MEMBERS_KEY = "__redraft:members";

  private final CommandValidator validator;

  EntryTranslator(CommandValidator validator) {
    this.validator = validator;
  }

  LogEntry toLogEntry(WriteProposal proposal, long logicalTimeMs) {
    if (proposal.getCommandsCount() == 0) {
      throw new InvalidRequestException("a write needs at least one command");
    }
    WriteEntry.Builder write = WriteEntry.newBuilder()
        .setClientId(proposal.getClientId())
        .setSequence(proposal.getSequence())
        .setLogicalTimeMs(logicalTimeMs);
    for (ProposedCommand proposed : proposal.getCommandsList()) {
      List<byte[]> argv = new ArrayList<>(proposed.getArgvCount());
      proposed.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
      if (argv.isEmpty()) {
        throw new InvalidRequestException("a command needs a name");
      }
      String name = new String(argv.get(0), StandardCharsets.UTF_8);
      ValidatedCommand validated = validator.validate(name, argv.subList(1, argv.size()), CommandKind.WRITE);
      ValidatedCommand deterministic = Determinizer.toDeterministic(validated, logicalTimeMs);
      LoggedCommand.Builder logged = LoggedCommand.newBuilder();
      deterministic.argv().forEach(arg -> logged.addArgv(ByteString.copyFrom(arg)));
      for (int position : deterministic.keyPositions()) {
        logged.addKeyPositions(position);
      }
      write.addCommands(logged);
    }
    return LogEntry.newBuilder().setVersion(ENTRY_VERSION).setWrite(write).build();
  }

  static LogEntry toLogEntry(VerifyEntry verify) {
    return LogEntry.newBuilder().setVersion(ENTRY_VERSION).setVerify(verify).build();
  }

  static LogEntry toLogEntry(RegisterNodeEntry registration) {
    return LogEntry.newBuilder().setVersion(ENTRY_VERSION).setRegisterNode(registration).build();
  }

  /** What the applier runs for an entry. Entries from a newer version are refused: never guess. */
  static ApplyRequest toApplyRequest(long index, LogEntry entry) {
    if (entry.getVersion() > ENTRY_VERSION) {
      throw new IllegalStateException("log entry " + index + " has format version " + entry.getVersion()
          + " but this coordinator reads up to version " + ENTRY_VERSION + ": upgrade this node");
    }
    switch (entry.getBodyCase()) {
      case WRITE -> {
        WriteEntry write = entry.getWrite();
        List<RedisCommand> commands = new ArrayList<>(write.getCommandsCount());
        for (LoggedCommand logged : write.getCommandsList()) {
          List<byte[]> argv = new ArrayList<>(logged.getArgvCount());
          logged.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
          int[] keys = logged.getKeyPositionsList().stream().mapToInt(Integer::intValue).toArray();
          commands.add(new RedisCommand(argv, keys));
        }
        return new ApplyRequest(index, write.getClientId(), write.getSequence(), write.getLogicalTimeMs(), commands);
      }
      case REGISTER_NODE -> {
        RegisterNodeEntry reg = entry.getRegisterNode();
        List<byte[]> argv = List.of(bytes("HSET"), bytes(MEMBERS_KEY), bytes(reg.getNodeId()),
            bytes(reg.getApiAddress() + "|" + reg.getRedisAddress()));
        return new ApplyRequest(index, "", 0, 0, List.of(new RedisCommand(argv, new int[] {1})));
      }
      case VERIFY -> {
        return ApplyRequest.verify(index);
      }
      default -> throw new IllegalStateException("log entry " + index + " has no body (" + entry.getBodyCase()
          + "): this coordinator cannot apply it");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
