package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Limits;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.ApplyRequest.SessionLimits;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.WriteEntry;
import dev.redraft.log.v1.WriteProposal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the leader writes into a write entry for sessions, and how entries with and without it are read. */
class EntryTranslatorSessionTest {
  private final EntryTranslator translator =
      new EntryTranslator(new CommandValidator(new Limits(1024 * 1024, 1000)), new SessionLimits(86_400_000, 1_000));

  @Test
  void aRetryHasTheSameFingerprintEvenWhenItsLoggedCommandsDiffer() {
    WriteProposal expire = proposal("EXPIRE", "k", "10");
    ApplyRequest first = toRequest(translator.toLogEntry(expire, 1_000));
    ApplyRequest retry = toRequest(translator.toLogEntry(expire, 5_000));

    assertThat(first.commands().get(0).argv().get(2)).isNotEqualTo(retry.commands().get(0).argv().get(2));
    assertThat(first.fingerprint()).hasSize(16).isEqualTo(retry.fingerprint());
    assertThat(toRequest(translator.toLogEntry(proposal("EXPIRE", "k", "11"), 1_000)).fingerprint())
        .isNotEqualTo(first.fingerprint());
    // Argument boundaries count: "ab","c" is not "a","bc".
    assertThat(EntryTranslator.fingerprint(proposal("SET", "ab", "c")))
        .isNotEqualTo(EntryTranslator.fingerprint(proposal("SET", "a", "bc")));
  }

  @Test
  void theLeadersSessionLimitsTravelInTheEntry() {
    LogEntry entry = translator.toLogEntry(proposal("INCR", "k"), 1_000);
    assertThat(toRequest(entry).session()).isEqualTo(new SessionLimits(86_400_000, 1_000, true));
  }

  @Test
  void everyWriteNeedsTheOpeningStampVersionAndOlderEntriesKeepTheirRules() {
    // Any write may drop a stamped session (and record its stamp): a node without the rules would diverge.
    for (String[] argv : List.of(new String[] {"INCR", "k"}, new String[] {"EXPIRE", "k", "10"},
        new String[] {"RENAME", "a", "b"}, new String[] {"XADD", "s", "*", "f", "v"})) {
      assertThat(translator.toLogEntry(proposal(argv), 1_000).getVersion()).as(argv[0])
          .isEqualTo(EntryTranslator.SESSION_STAMP_ENTRY_VERSION);
    }
    for (int version : List.of(EntryTranslator.SESSION_ENTRY_VERSION, EntryTranslator.COMMAND_SET_ENTRY_VERSION)) {
      LogEntry older = LogEntry.newBuilder().setVersion(version).setWrite(WriteEntry.newBuilder().setClientId("c@1")
          .setSequence(1).setSessionIdleTimeoutMs(1_000).setSessionMax(10)).build();
      assertThat(toRequest(older).session()).as("version %d", version).isEqualTo(new SessionLimits(1_000, 10, false));
    }
    LogEntry newer = LogEntry.newBuilder().setVersion(EntryTranslator.NEWEST_READABLE_VERSION + 1)
        .setWrite(WriteEntry.newBuilder().setClientId("c").setSequence(1)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EntryTranslator.toApplyRequests(7, newer))
        .hasMessageContaining("upgrade this node");
  }

  @Test
  void anEntryFromBeforeSessionLimitsIsReadWithTheOldRules() {
    LogEntry old = LogEntry.newBuilder().setVersion(EntryTranslator.ENTRY_VERSION)
        .setWrite(WriteEntry.newBuilder().setClientId("c").setSequence(3).setLogicalTimeMs(1_000)).build();
    ApplyRequest request = toRequest(old);
    assertThat(request.fingerprint()).isEmpty();
    assertThat(request.session()).isEqualTo(SessionLimits.LEGACY);
  }

  private static ApplyRequest toRequest(LogEntry entry) {
    List<ApplyRequest> requests = EntryTranslator.toApplyRequests(7, entry);
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  private static WriteProposal proposal(String... argv) {
    ProposedCommand.Builder command = ProposedCommand.newBuilder();
    for (String arg : argv) {
      command.addArgv(ByteString.copyFromUtf8(arg));
    }
    return WriteProposal.newBuilder().setClientId("c").setSequence(1).addCommands(command).build();
  }
}
