package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.node.MemberDirectory.MemberAddresses;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.RegisterNodeEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's published addresses: the entry format they need and what every replica stores of them. */
class EntryTranslatorRegistrationTest {
  @Test
  void aRegistrationWithoutARespPortKeepsTheOldFormatAndValue() {
    LogEntry entry = EntryTranslator.toLogEntry(RegisterNodeEntry.newBuilder().setNodeId("n1")
        .setApiAddress("127.0.0.1:7001").setRedisAddress("127.0.0.1:6379").build());
    assertThat(entry.getVersion()).isEqualTo(EntryTranslator.ENTRY_VERSION);
    assertThat(storedValue(entry)).isEqualTo("127.0.0.1:7001|127.0.0.1:6379");
  }

  @Test
  void aRespPortNeedsTheNewFormatAndIsStoredAndReadBack() {
    LogEntry entry = EntryTranslator.toLogEntry(RegisterNodeEntry.newBuilder().setNodeId("n1")
        .setApiAddress("127.0.0.1:7001").setRedisAddress("127.0.0.1:6379").setRespAddress("127.0.0.1:6380").build());
    // A node that cannot read format 8 would keep the hash without the RESP port: it refuses the entry instead.
    assertThat(entry.getVersion()).isEqualTo(EntryTranslator.RESP_REGISTRATION_ENTRY_VERSION)
        .isLessThanOrEqualTo(EntryTranslator.NEWEST_READABLE_VERSION);
    String stored = storedValue(entry);
    assertThat(stored).isEqualTo("127.0.0.1:7001|127.0.0.1:6379|127.0.0.1:6380");
    assertThat(MemberAddresses.decode(stored))
        .isEqualTo(new MemberAddresses("127.0.0.1:7001", "127.0.0.1:6379", "127.0.0.1:6380"));
  }

  /**
   * An older leader logs a newer node's registration as format 1, its RESP address kept as an unread
   * field: every replica, old or new, must store the same value, so a new one ignores the field too.
   */
  @Test
  void aRespAddressInAnOlderFormatEntryIsIgnored() {
    LogEntry entry = LogEntry.newBuilder().setVersion(EntryTranslator.ENTRY_VERSION)
        .setRegisterNode(RegisterNodeEntry.newBuilder().setNodeId("n1").setApiAddress("127.0.0.1:7001")
            .setRedisAddress("127.0.0.1:6379").setRespAddress("127.0.0.1:6380")).build();
    assertThat(storedValue(entry)).isEqualTo("127.0.0.1:7001|127.0.0.1:6379");
    assertThat(EntryTranslator.registeredAddresses(entry).respAddress()).isEmpty();
  }

  @Test
  void aClusterPortNeedsFormat11AndIsStoredAfterTheRespPort() {
    LogEntry entry = EntryTranslator.toLogEntry(RegisterNodeEntry.newBuilder().setNodeId("n1")
        .setApiAddress("127.0.0.1:7001").setRedisAddress("127.0.0.1:6379").setRespAddress("127.0.0.1:6380")
        .setRespClusterAddress("127.0.0.1:6381").build());
    assertThat(entry.getVersion()).isEqualTo(EntryTranslator.CLUSTER_REGISTRATION_ENTRY_VERSION)
        .isLessThanOrEqualTo(EntryTranslator.NEWEST_READABLE_VERSION);
    String stored = storedValue(entry);
    assertThat(stored).isEqualTo("127.0.0.1:7001|127.0.0.1:6379|127.0.0.1:6380|127.0.0.1:6381");
    assertThat(MemberAddresses.decode(stored))
        .isEqualTo(new MemberAddresses("127.0.0.1:7001", "127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"));
    assertThat(MemberAddresses.decode(new MemberAddresses("a:1", "b:2", "", "c:3").encoded()))
        .as("a cluster port without a RESP port keeps its place").isEqualTo(new MemberAddresses("a:1", "b:2", "", "c:3"));

    // Logged by an older leader in format 8: every replica stores the value without the cluster port.
    LogEntry older = entry.toBuilder().setVersion(EntryTranslator.RESP_REGISTRATION_ENTRY_VERSION).build();
    assertThat(storedValue(older)).isEqualTo("127.0.0.1:7001|127.0.0.1:6379|127.0.0.1:6380");
  }

  @Test
  void olderStoredValuesStillDecode() {
    assertThat(MemberAddresses.decode("127.0.0.1:7001|127.0.0.1:6379"))
        .isEqualTo(new MemberAddresses("127.0.0.1:7001", "127.0.0.1:6379", ""));
    assertThat(MemberAddresses.decode("127.0.0.1:7001")).isEqualTo(new MemberAddresses("127.0.0.1:7001", "", ""));
  }

  /** The value the apply writes into the members hash (HSET __redraft:members ID VALUE). */
  private static String storedValue(LogEntry entry) {
    List<ApplyRequest> requests = EntryTranslator.toApplyRequests(3, entry);
    List<byte[]> argv = requests.get(0).commands().get(0).argv();
    assertThat(new String(argv.get(0), StandardCharsets.UTF_8)).isEqualTo("HSET");
    return new String(argv.get(3), StandardCharsets.UTF_8);
  }
}
