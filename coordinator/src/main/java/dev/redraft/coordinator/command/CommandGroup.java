package dev.redraft.coordinator.command;

/** The data type or area a command belongs to, as Redis' documentation groups them. */
public enum CommandGroup {
  STRINGS("Strings"),
  KEYS("Keys"),
  HASHES("Hashes"),
  LISTS("Lists"),
  SETS("Sets"),
  SORTED_SETS("Sorted sets"),
  BITMAPS("Bitmaps"),
  HYPERLOGLOG("HyperLogLog"),
  STREAMS("Streams"),
  TRANSACTIONS("Transactions"),
  KEYSPACE("Whole keyspace");

  private final String title;

  CommandGroup(String title) {
    this.title = title;
  }

  /** The heading for docs. */
  public String title() {
    return title;
  }
}
