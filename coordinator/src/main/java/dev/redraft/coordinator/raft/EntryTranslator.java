package dev.redraft.coordinator.raft;

import com.google.protobuf.ByteString;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Determinizer;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.RedisCommand;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.LoggedCommand;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.RegisterNodeEntry;
import dev.redraft.log.v1.MovedKey;
import dev.redraft.log.v1.SlotStep;
import dev.redraft.log.v1.TokenEntry;
import dev.redraft.log.v1.TxStep;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.log.v1.VerifyEntry;
import dev.redraft.log.v1.WriteEntry;
import dev.redraft.log.v1.WriteGroupEntry;
import dev.redraft.log.v1.WriteGroupProposal;
import dev.redraft.log.v1.WriteProposal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns proposals into log entries (on the leader: validate, then make deterministic) and log
 * entries into what the Redis applier runs (on every node).
 */
final class EntryTranslator {
  /** The log entry format of single entries (a version-1 reader can apply them). */
  static final int ENTRY_VERSION = 1;
  /** Group-commit entries (WriteGroupEntry) need this version: an older node refuses them clearly. */
  static final int GROUP_ENTRY_VERSION = 2;
  /**
   * Writes that carry a command fingerprint and session limits: an older node would apply them by the
   * old session rules and diverge, so it refuses them clearly instead.
   */
  static final int SESSION_ENTRY_VERSION = 3;
  /**
   * Writes that log a command beyond the first catalog (RENAME, FLUSHDB, GETEX, XADD, a read in a
   * batch...), or carry WATCH conditions: an older node would run them without their bookkeeping
   * (deadlines, Redraft's own keys, stream IDs) or unchecked, and diverge, so it refused them clearly.
   */
  static final int COMMAND_SET_ENTRY_VERSION = 4;
  /**
   * Every write this leader logs: applied by the opening-stamp rules (a first write stamped no later
   * than a dropped session is refused; dropping a stamped session records its stamp). Any write may
   * drop a session, so an older node would diverge on any of them and refuses them clearly instead:
   * upgrade the followers before the leader.
   */
  static final int SESSION_STAMP_ENTRY_VERSION = 5;
  /** API token grants and revocations (TokenEntry): an older node does not know them and refuses them. */
  static final int TOKEN_ENTRY_VERSION = 6;
  /** The pseudo command carrying an entry's WATCH condition to the apply script (never a user command). */
  static final String WATCH_CHECK = "__WATCH";
  /**
   * Writes of a sharded cluster (open_at_any_sequence): an older node would refuse a stamped client's
   * first write to a group at a sequence above 1 where this one applies it, so it refuses the entry.
   */
  static final int SHARDED_SESSION_ENTRY_VERSION = 7;
  /**
   * A node's registration that names its RESP port: an older node would keep the members hash without
   * it, another state than its peers', so it refuses the entry.
   */
  static final int RESP_REGISTRATION_ENTRY_VERSION = 8;
  /**
   * Steps of a transaction across groups (TxStep): an older node would apply a PREPARE as a plain write
   * and ignore the others (no locks, no undo), so it refuses them.
   */
  static final int TX_ENTRY_VERSION = 9;
  /**
   * Steps of a slot move between groups (SlotStep): an older node would not know them, so it refuses them
   * rather than keep slots it no longer owns.
   */
  static final int SLOT_ENTRY_VERSION = 10;
  /** The pseudo command carrying a slot move's step to the apply script (never a user command). */
  static final String SLOT_STEP = "__SLOTS";
  /**
   * A node's registration that names its RESP port for cluster-aware clients: an older node would keep the
   * members hash without it, so it refuses the entry.
   */
  static final int CLUSTER_REGISTRATION_ENTRY_VERSION = 11;
  /**
   * Group 0's record of how many groups the static split of the slots is over (SlotStep RECORD_SPLIT, made
   * once groups were added to a running cluster): an older node would take it for a move's step, so it
   * refuses it.
   */
  static final int SPLIT_ENTRY_VERSION = 12;
  /** The newest entry format this code reads. */
  static final int NEWEST_READABLE_VERSION = SPLIT_ENTRY_VERSION;
  /** Internal hash of the member directory; user commands can never name it. */
  static final String MEMBERS_KEY = "__redraft:members";

  private final CommandValidator validator;
  private final ApplyRequest.SessionLimits sessionLimits;

  /** @param sessionLimits this leader's session limits, written into every write entry it proposes */
  EntryTranslator(CommandValidator validator, ApplyRequest.SessionLimits sessionLimits) {
    this.validator = validator;
    this.sessionLimits = sessionLimits;
  }

  private int writeVersion() {
    return sessionLimits.openAtAnySequence() ? SHARDED_SESSION_ENTRY_VERSION : SESSION_STAMP_ENTRY_VERSION;
  }

  LogEntry toLogEntry(WriteProposal proposal, long logicalTimeMs) {
    WriteEntry write = toWriteEntry(proposal, logicalTimeMs);
    return LogEntry.newBuilder().setVersion(versionOf(proposal)).setWrite(write).build();
  }

  /** Several clients' writes as one entry, all at the same logical time. Any invalid write refuses the group. */
  LogEntry toLogEntry(WriteGroupProposal group, long logicalTimeMs) {
    if (group.getWritesCount() == 0) {
      throw new InvalidRequestException("a write group needs at least one write");
    }
    WriteGroupEntry.Builder entry = WriteGroupEntry.newBuilder();
    int version = writeVersion();
    for (WriteProposal write : group.getWritesList()) {
      entry.addWrites(toWriteEntry(write, logicalTimeMs));
      version = Math.max(version, versionOf(write));
    }
    return LogEntry.newBuilder().setVersion(version).setWriteGroup(entry).build();
  }

  private int versionOf(WriteProposal proposal) {
    if (proposal.hasSlotStep()) {
      return proposal.getSlotStep().getPhase() == SlotStep.Phase.RECORD_SPLIT ? SPLIT_ENTRY_VERSION : SLOT_ENTRY_VERSION;
    }
    return proposal.hasTx() ? TX_ENTRY_VERSION : writeVersion();
  }

  private WriteEntry toWriteEntry(WriteProposal proposal, long logicalTimeMs) {
    if (proposal.hasSlotStep()) {
      if (proposal.getCommandsCount() > 0 || !proposal.getClientId().isEmpty() || proposal.hasTx()
          || proposal.getSlotStep().getPhase() == SlotStep.Phase.PHASE_UNSPECIFIED) {
        throw new InvalidRequestException("a slot move's step carries no commands, no session and no transaction");
      }
      return WriteEntry.newBuilder().setLogicalTimeMs(logicalTimeMs).setSlotStep(proposal.getSlotStep()).build();
    }
    if (proposal.hasTx() && proposal.getTx().getPhase() != TxStep.Phase.PREPARE) {
      return txStepEntry(proposal, logicalTimeMs);
    }
    if (proposal.getCommandsCount() == 0 && !(proposal.hasTx() && proposal.getWatchesCount() > 0)) {
      // (A transaction's group may only watch keys: its PREPARE checks and locks them.)
      throw new InvalidRequestException("a write needs at least one command");
    }
    if (proposal.hasTx() && (proposal.getTx().getTxId().isEmpty() || proposal.getClientId().isEmpty())) {
      throw new InvalidRequestException("a transaction's PREPARE needs a transaction id and a client session");
    }
    WriteEntry.Builder write = WriteEntry.newBuilder()
        .setClientId(proposal.getClientId())
        .setSequence(proposal.getSequence())
        .setLogicalTimeMs(logicalTimeMs)
        .setCommandFingerprint(fingerprint(proposal))
        .setSessionIdleTimeoutMs(sessionLimits.idleTimeoutMs())
        .setSessionMax(sessionLimits.max())
        .setOpenAtAnySequence(sessionLimits.openAtAnySequence())
        .addAllWatches(proposal.getWatchesList());
    if (proposal.hasTx()) {
      write.setTx(proposal.getTx());
    }
    for (dev.redraft.log.v1.WatchedKey watched : proposal.getWatchesList()) {
      if (watched.getKey().isEmpty() || CommandValidator.isReserved(watched.getKey().toByteArray())) {
        throw new InvalidRequestException("a watched key must be a non-empty key outside Redraft's own namespace");
      }
    }
    for (ProposedCommand proposed : proposal.getCommandsList()) {
      List<byte[]> argv = new ArrayList<>(proposed.getArgvCount());
      proposed.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
      if (argv.isEmpty()) {
        throw new InvalidRequestException("a command needs a name");
      }
      String name = new String(argv.get(0), StandardCharsets.UTF_8);
      // As WriteHandler: a conditional write counts as a batch.
      ValidatedCommand validated = validator.validateInWrite(name, argv.subList(1, argv.size()),
          proposal.getCommandsCount() + (proposal.getWatchesCount() > 0 ? 1 : 0));
      ValidatedCommand deterministic = Determinizer.toDeterministic(validated, logicalTimeMs);
      LoggedCommand.Builder logged = LoggedCommand.newBuilder();
      deterministic.argv().forEach(arg -> logged.addArgv(ByteString.copyFrom(arg)));
      for (int position : deterministic.keyPositions()) {
        logged.addKeyPositions(position);
      }
      write.addCommands(logged);
    }
    return write.build();
  }

  /** A COMMIT, ABORT or DECIDE step: Redraft's own entry, without session or commands. */
  private WriteEntry txStepEntry(WriteProposal proposal, long logicalTimeMs) {
    if (proposal.getTx().getTxId().isEmpty() || proposal.getCommandsCount() > 0 || !proposal.getClientId().isEmpty()
        || proposal.getTx().getPhase() == TxStep.Phase.PHASE_UNSPECIFIED) {
      throw new InvalidRequestException("a transaction's " + proposal.getTx().getPhase() + " step needs a transaction"
          + " id and carries no commands and no session");
    }
    return WriteEntry.newBuilder()
        .setLogicalTimeMs(logicalTimeMs)
        .setSessionIdleTimeoutMs(sessionLimits.idleTimeoutMs())
        .setSessionMax(sessionLimits.max())
        .setTx(proposal.getTx())
        .build();
  }

  /**
   * The first 8 bytes of a SHA-256 over the commands as the client sent them (every argument
   * length-prefixed): a retry carries the same commands, so the same fingerprint, even though making
   * them deterministic (EXPIRE 10 -> PEXPIREAT now+10s) gives different logged commands.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  });

  static ByteString fingerprint(WriteProposal proposal) {
    MessageDigest sha = SHA_256.get(); // looking the algorithm up per write cost more than hashing
    sha.reset();
    ByteBuffer length = ByteBuffer.allocate(4);
    for (ProposedCommand command : proposal.getCommandsList()) {
      sha.update(length.clear().putInt(command.getArgvCount()).array());
      for (ByteString arg : command.getArgvList()) {
        sha.update(length.clear().putInt(arg.size()).array());
        sha.update(arg.asReadOnlyByteBuffer());
      }
    }
    return ByteString.copyFrom(sha.digest(), 0, 8);
  }

  static LogEntry toLogEntry(VerifyEntry verify) {
    return LogEntry.newBuilder().setVersion(ENTRY_VERSION).setVerify(verify).build();
  }

  static LogEntry toLogEntry(TokenEntry token) {
    return LogEntry.newBuilder().setVersion(TOKEN_ENTRY_VERSION).setToken(token).build();
  }

  /**
   * The addresses a registration entry publishes. Its RESP address counts only from format 8, its cluster
   * port's from format 11: an older leader logs a newer node's registration in its own format with the
   * newer fields kept unread, and every replica must store the same (its own version's) members hash.
   */
  static MemberDirectory.MemberAddresses registeredAddresses(LogEntry entry) {
    RegisterNodeEntry reg = entry.getRegisterNode();
    return new MemberDirectory.MemberAddresses(reg.getApiAddress(), reg.getRedisAddress(),
        entry.getVersion() >= RESP_REGISTRATION_ENTRY_VERSION ? reg.getRespAddress() : "",
        entry.getVersion() >= CLUSTER_REGISTRATION_ENTRY_VERSION ? reg.getRespClusterAddress() : "");
  }

  static LogEntry toLogEntry(RegisterNodeEntry registration) {
    // Only a registration naming a RESP port needs format 8 (11 with a cluster port): a node that cannot read
    // it stops rather than keep another members hash than its peers.
    int version = !registration.getRespClusterAddress().isEmpty() ? CLUSTER_REGISTRATION_ENTRY_VERSION
        : registration.getRespAddress().isEmpty() ? ENTRY_VERSION : RESP_REGISTRATION_ENTRY_VERSION;
    return LogEntry.newBuilder().setVersion(version).setRegisterNode(registration).build();
  }

  /**
   * What the applier runs for an entry: one request, or one per write of a group (all at the
   * entry's index). Entries from a newer version are refused: never guess.
   */
  static List<ApplyRequest> toApplyRequests(long index, LogEntry entry) {
    if (entry.getVersion() > NEWEST_READABLE_VERSION) {
      throw new IllegalStateException("log entry " + index + " has format version " + entry.getVersion()
          + " but this coordinator reads up to version " + NEWEST_READABLE_VERSION + ": upgrade this node");
    }
    switch (entry.getBodyCase()) {
      case WRITE -> {
        return List.of(toApplyRequest(index, entry.getWrite(), entry.getVersion()));
      }
      case WRITE_GROUP -> {
        List<ApplyRequest> requests = new ArrayList<>(entry.getWriteGroup().getWritesCount());
        for (WriteEntry write : entry.getWriteGroup().getWritesList()) {
          requests.add(toApplyRequest(index, write, entry.getVersion()));
        }
        return requests;
      }
      case REGISTER_NODE -> {
        RegisterNodeEntry reg = entry.getRegisterNode();
        String addresses = registeredAddresses(entry).encoded();
        List<byte[]> argv = List.of(bytes("HSET"), bytes(MEMBERS_KEY), bytes(reg.getNodeId()), bytes(addresses));
        return List.of(new ApplyRequest(index, "", 0, 0, List.of(new RedisCommand(argv, new int[] {1}))));
      }
      case VERIFY -> {
        return List.of(ApplyRequest.verify(index));
      }
      case TOKEN -> {
        TokenEntry token = entry.getToken();
        List<byte[]> argv = token.getRole().isEmpty()
            ? List.of(bytes("HDEL"), bytes(Tokens.REPLICATED_KEY), bytes(token.getName()))
            : List.of(bytes("HSET"), bytes(Tokens.REPLICATED_KEY), bytes(token.getName()),
                bytes(token.getRole() + " " + token.getSha256()));
        return List.of(new ApplyRequest(index, "", 0, 0, List.of(new RedisCommand(argv, new int[] {1}))));
      }
      default -> throw new IllegalStateException("log entry " + index + " has no body (" + entry.getBodyCase()
          + "): this coordinator cannot apply it");
    }
  }

  private static ApplyRequest toApplyRequest(long index, WriteEntry write, int version) {
    if (write.hasSlotStep()) {
      return new ApplyRequest(index, "", 0, write.getLogicalTimeMs(), List.of(slotStepCommand(write.getSlotStep())));
    }
    List<RedisCommand> commands = new ArrayList<>(write.getCommandsCount() + 1);
    if (write.getWatchesCount() > 0) {
      // The apply script checks the digests first, against its Redis, at this entry's logical time.
      List<byte[]> argv = new ArrayList<>(1 + 2 * write.getWatchesCount());
      int[] keys = new int[write.getWatchesCount()];
      argv.add(bytes(WATCH_CHECK));
      for (int i = 0; i < write.getWatchesCount(); i++) {
        keys[i] = argv.size();
        argv.add(write.getWatches(i).getKey().toByteArray());
        argv.add(write.getWatches(i).getDigest().toByteArray());
      }
      commands.add(new RedisCommand(argv, keys));
    }
    for (LoggedCommand logged : write.getCommandsList()) {
      List<byte[]> argv = new ArrayList<>(logged.getArgvCount());
      logged.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
      int[] keys = logged.getKeyPositionsList().stream().mapToInt(Integer::intValue).toArray();
      commands.add(new RedisCommand(argv, keys));
    }
    // Entries written before fingerprints and session limits carry neither: empty and LEGACY (old rules).
    ApplyRequest.TxStep tx = !write.hasTx() ? ApplyRequest.TxStep.NONE
        : new ApplyRequest.TxStep(write.getTx().getPhaseValue(), write.getTx().getTxId(), write.getTx().getHomeGroup());
    // A COMMIT, ABORT or DECIDE step has no client id: apply.lua takes it with Redraft's own entries.
    return new ApplyRequest(index, write.getClientId(), write.getSequence(), write.getLogicalTimeMs(), commands, false,
        HexFormat.of().formatHex(write.getCommandFingerprint().toByteArray()),
        new ApplyRequest.SessionLimits(write.getSessionIdleTimeoutMs(), write.getSessionMax(),
            version >= SESSION_STAMP_ENTRY_VERSION, write.getOpenAtAnySequence()), tx);
  }

  /**
   * A slot move's step as apply.lua's pseudo command: __SLOTS, phase, move id, source, target, group
   * count, slot count, slots..., then key, value, deadline per key.
   */
  private static RedisCommand slotStepCommand(SlotStep step) {
    List<byte[]> argv = new ArrayList<>(8 + step.getSlotsCount() + 3 * step.getKeysCount());
    argv.add(bytes(SLOT_STEP));
    argv.add(bytes(Integer.toString(step.getPhaseValue())));
    argv.add(bytes(Long.toString(step.getMoveId())));
    argv.add(bytes(Integer.toString(step.getSourceGroup())));
    argv.add(bytes(Integer.toString(step.getTargetGroup())));
    argv.add(bytes(Integer.toString(step.getGroups())));
    argv.add(bytes(Integer.toString(step.getSlotsCount())));
    step.getSlotsList().forEach(slot -> argv.add(bytes(Integer.toString(slot))));
    for (MovedKey key : step.getKeysList()) {
      argv.add(key.getKey().toByteArray());
      argv.add(key.getValue().toByteArray());
      argv.add(bytes(Long.toString(key.getDeadlineMs())));
    }
    return new RedisCommand(argv, new int[0]);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
