package dev.redraft.coordinator.security;

/**
 * Who made a call and what they may do: {@code name} is the certificate subject or the token's name
 * (for messages and logs; never the token itself).
 */
public record Caller(String name, Role role) {
  @Override
  public String toString() {
    return "'" + name + "' (role " + role.label() + ")";
  }
}
