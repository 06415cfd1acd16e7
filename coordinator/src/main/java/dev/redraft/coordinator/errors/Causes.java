package dev.redraft.coordinator.errors;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The failure inside the wrappers futures put around it. */
public final class Causes {
  private Causes() {}

  /** {@code error} without its CompletionException and ExecutionException wrappers. */
  public static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
