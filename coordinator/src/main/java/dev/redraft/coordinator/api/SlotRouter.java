package dev.redraft.coordinator.api;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.WatchedKey;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.command.CommandSpec;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.shard.SlotMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The group a request goes to: the one that owns the slots of all its keys (commands and watched
 * keys). A batch whose commands are in several groups, each command's keys in one, is a transaction
 * across groups ({@link #SEVERAL_GROUPS}, planned by {@link #planOf}); one command or one read whose
 * keys are in several groups is refused with CROSSSLOT, as Redis Cluster refuses keys in several slots;
 * so is a command without keys in a cluster of several groups, alone or in a batch (FLUSHDB, DBSIZE, KEYS
 * ... would see one group's keys only). Unknown or malformed commands go to the group of the request's
 * other keys (or group 0), whose validation refuses them as usual.
 */
final class SlotRouter {
  /** {@link #groupOf(WriteRequest)} of a batch across groups: see {@link #planOf}. */
  static final int SEVERAL_GROUPS = -1;

  /** Where a batch across groups goes: the group of each command and of each watched key, in order. */
  record TxPlan(int[] commandGroups, int[] watchGroups) {
    /**
     * The group that holds the transaction's decision: the lowest group of its commands, so a retry with
     * the same commands in another order (the same parts per group) has the same home.
     */
    int home() {
      return java.util.Arrays.stream(commandGroups).min().orElseThrow();
    }

    /** Every group the batch reads, writes or watches, each once. */
    java.util.SortedSet<Integer> groups() {
      java.util.SortedSet<Integer> all = new java.util.TreeSet<>();
      java.util.Arrays.stream(commandGroups).forEach(all::add);
      java.util.Arrays.stream(watchGroups).forEach(all::add);
      return all;
    }
  }

  private final Supplier<SlotMap> map;

  /** @param map the slot map as this node knows it now (it changes when slots move) */
  SlotRouter(Supplier<SlotMap> map) {
    this.map = map;
  }

  int groups() {
    return map.get().groups();
  }

  int groupOf(WriteRequest request) {
    if (map.get().groups() == 1) {
      return 0;
    }
    Route route = new Route();
    try {
      for (Command command : request.getCommandsList()) {
        route.addCommand(command);
      }
      for (WatchedKey watched : request.getWatchesList()) {
        route.addKey(watched.getKey().toByteArray());
      }
    } catch (CrossSlotException severalGroups) {
      if (request.getCommandsCount() > 1 || request.getWatchesCount() > 0) {
        planOf(request); // refuses a command whose own keys are in several groups, or one without keys
        return SEVERAL_GROUPS;
      }
      throw severalGroups;
    }
    return route.group();
  }

  /** The groups of a batch's commands and watched keys; CROSSSLOT if one command's keys are in several. */
  TxPlan planOf(WriteRequest request) {
    int[] commandGroups = new int[request.getCommandsCount()];
    for (int i = 0; i < commandGroups.length; i++) {
      Route route = new Route();
      route.addCommand(request.getCommands(i));
      commandGroups[i] = route.group();
    }
    int[] watchGroups = new int[request.getWatchesCount()];
    for (int i = 0; i < watchGroups.length; i++) {
      watchGroups[i] = map.get().groupOfKey(request.getWatches(i).getKey().toByteArray());
    }
    return new TxPlan(commandGroups, watchGroups);
  }

  /** Keys in several groups where they must be in one. */
  private static final class CrossSlotException extends InvalidRequestException {
    CrossSlotException(String message) {
      super(message);
    }
  }

  int groupOf(ReadRequest request) {
    if (map.get().groups() == 1) {
      return 0;
    }
    if (request.getConsistency() == ReadConsistency.AT_INDEX) {
      // A write's log index is its group's: another group's log may never reach it, or already has.
      throw new InvalidRequestException("ERR AT_INDEX reads are not supported by a cluster sharded over " + map.get().groups()
          + " Raft groups yet (a write's log index is that of its own group's log, so it cannot be compared across"
          + " groups): read LINEARIZABLE (the default) for read-your-writes");
    }
    Route route = new Route();
    try {
      route.addCommand(request.getCommand());
    } catch (CrossSlotException severalGroups) {
      if (isWatch(request)) {
        return SEVERAL_GROUPS; // each group's keys read on their own: see KvOperations
      }
      throw severalGroups;
    }
    return route.group();
  }

  /** A WATCH read (the keys' digests), which may name keys of several groups. */
  static boolean isWatch(ReadRequest request) {
    return request.getCommand().getName().equalsIgnoreCase("WATCH");
  }

  /** The group owning {@code key}. */
  int groupOfKey(byte[] key) {
    return map.get().groupOfKey(key);
  }

  /** The group so far of one request's keys: -1 until a key is seen. */
  private final class Route {
    private int group = -1;
    private boolean unknown;
    private String keyless;

    void addCommand(Command command) {
      Optional<CommandSpec> spec = CommandCatalog.find(command.getName());
      if (spec.isEmpty()) {
        unknown = true;
        return;
      }
      List<byte[]> argv = new ArrayList<>(command.getArgsCount() + 1);
      argv.add(command.getName().getBytes(StandardCharsets.UTF_8));
      command.getArgsList().forEach(arg -> argv.add(arg.toByteArray()));
      if (!spec.get().acceptsArgc(argv.size())) {
        unknown = true; // the group's validation reports the wrong number of arguments
        return;
      }
      int[] positions;
      try {
        positions = spec.get().keys().positions(argv);
      } catch (RuntimeException malformed) {
        unknown = true; // a wrong argument count: the group's validation says what is wrong
        return;
      }
      if (positions.length == 0 && keyless == null) {
        keyless = spec.get().name();
      }
      for (int position : positions) {
        addKey(argv.get(position));
      }
    }

    void addKey(byte[] key) {
      int owner = map.get().groupOfKey(key);
      if (group >= 0 && owner != group) {
        throw new CrossSlotException("CROSSSLOT Keys in request don't hash to the same slot: they belong to"
            + " Raft groups " + group + " and " + owner + " of this sharded cluster; one command (or read) must"
            + " name keys of one group: use a hash tag ({...}) to keep related keys in one slot, or split it into"
            + " commands of a batch (atomic across groups)");
      }
      group = owner;
    }

    int group() {
      if (keyless == null && group >= 0) {
        return group;
      }
      if (keyless == null && unknown) {
        return 0;
      }
      throw new InvalidRequestException("ERR " + (keyless == null ? "a request without commands" : keyless)
          + " has no key, and this cluster is sharded over " + map.get().groups() + " Raft groups: a command without keys"
          + " would see or change one group's keys only, so it is not supported yet; name keys, or run it on each"
          + " group's Redis for an inspection");
    }
  }
}
