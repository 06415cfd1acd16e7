package dev.redraft.coordinator.chaos.history;

import java.util.Objects;

/** The sequential specification of one key: what each operation does to the state, and whether it is legal. */
public interface Model {
  /** The state of a key that was never written. */
  Object initial();

  /** The state after {@code op}, or {@code null} if {@code op} cannot happen in {@code state}. */
  Object step(Object state, Operation op);

  /** Redis string register: SET writes, GET reads the last write (nil before any). */
  Model REGISTER = new Model() {
    private static final String NIL = "\u0000nil";

    @Override
    public Object initial() {
      return NIL;
    }

    @Override
    public Object step(Object state, Operation op) {
      return switch (op.kind()) {
        case WRITE -> op.value();
        case READ -> Objects.equals(state, op.value() == null ? NIL : op.value()) ? state : null;
        case INCR -> throw new IllegalArgumentException("INCR on a register key: " + op);
      };
    }

    @Override
    public String toString() {
      return "register";
    }
  };

  /** Redis counter: INCR adds one and returns the new value, GET reads it (nil = 0 before any INCR). */
  Model COUNTER = new Model() {
    @Override
    public Object initial() {
      return 0L;
    }

    @Override
    public Object step(Object state, Operation op) {
      long current = (Long) state;
      return switch (op.kind()) {
        case INCR -> op.counter() == null || op.counter() == current + 1 ? current + 1 : null;
        case READ -> current == (op.value() == null ? 0 : Long.parseLong(op.value())) ? state : null;
        case WRITE -> throw new IllegalArgumentException("SET on a counter key: " + op);
      };
    }

    @Override
    public String toString() {
      return "counter";
    }
  };
}
