package dev.redraft.coordinator;

/** Entry point of a coordinator node. */
public final class CoordinatorMain {
  private CoordinatorMain() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("not yet wired");
  }
}
