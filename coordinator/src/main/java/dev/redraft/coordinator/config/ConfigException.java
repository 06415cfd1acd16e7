package dev.redraft.coordinator.config;

/** Bad or missing configuration: the message names the key and what it accepts. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
