package dev.redraft.coordinator.config;

/** How a node writes its log lines (key {@code log-format}). */
public enum LogFormat {
  /** One human-readable line per event. */
  TEXT,
  /** One JSON object per line, for log collectors. */
  JSON
}
