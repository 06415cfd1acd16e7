package dev.redraft.client.cli.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** Weighted choice of operations, written {@code set=80,get=20} (a bare {@code set} means set=1). */
public final class OperationMix {
  private final Map<Operation, Integer> weights;
  private final Operation[] table;

  private OperationMix(Map<Operation, Integer> weights) {
    this.weights = weights;
    List<Operation> slots = new ArrayList<>();
    weights.forEach((op, weight) -> {
      for (int i = 0; i < weight; i++) {
        slots.add(op);
      }
    });
    this.table = slots.toArray(new Operation[0]);
  }

  public static OperationMix parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the operation mix is empty: give e.g. set, or set=80,get=20");
    }
    Map<Operation, Integer> weights = new EnumMap<>(Operation.class);
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      Operation op = Operation.parse(kv[0]);
      int weight;
      try {
        weight = kv.length == 1 ? 1 : Integer.parseInt(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("weight of " + op.label() + " in the mix '" + text + "' is not a number");
      }
      if (weight < 0 || weight > 1000) {
        throw new IllegalArgumentException("weight of " + op.label() + " must be 0..1000, got " + weight);
      }
      if (weights.containsKey(op)) {
        throw new IllegalArgumentException(op.label() + " appears twice in the mix '" + text + "'");
      }
      if (weight > 0) {
        weights.put(op, weight);
      }
    }
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("every weight in the mix '" + text + "' is 0");
    }
    return new OperationMix(weights);
  }

  public Operation next(SplittableRandom random) {
    return table.length == 1 ? table[0] : table[random.nextInt(table.length)];
  }

  public Iterable<Operation> operations() {
    return weights.keySet();
  }

  public boolean contains(Operation op) {
    return weights.containsKey(op);
  }

  @Override
  public String toString() {
    return weights.entrySet().stream().map(e -> e.getKey().label() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
