package dev.redraft.coordinator.security;

import dev.redraft.log.v1.TokenEntry;
import java.util.regex.Pattern;

/** What a token's name, role and hash may be, wherever tokens come from (tokens-file, the Access service). */
public final class TokenRules {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private TokenRules() {}

  /** The entry if it grants or revokes a well-formed token; IllegalArgumentException saying what is wrong. */
  public static TokenEntry checked(TokenEntry token) {
    if (!NAME.matcher(token.getName()).matches()) {
      throw new IllegalArgumentException("a token's name must be 1-64 letters, digits or _.@-, got '"
          + token.getName() + "'");
    }
    if (token.getRole().isEmpty()) {
      if (!token.getSha256().isEmpty()) {
        throw new IllegalArgumentException("revoking a token takes its name only");
      }
      return token;
    }
    Role role = Role.named(token.getRole()).orElseThrow(() -> new IllegalArgumentException(
        "unknown role '" + token.getRole() + "'; a token's role is read, readwrite or admin"));
    if (role == Role.NODE) {
      throw new IllegalArgumentException("a token cannot hold the node role: nodes identify each other by"
          + " certificate (OU=node)");
    }
    if (!SHA256_HEX.matcher(token.getSha256()).matches()) {
      throw new IllegalArgumentException("a token is granted by its SHA-256 in hex (64 characters), never the"
          + " token itself");
    }
    return token.toBuilder().setRole(role.label()).setSha256(token.getSha256().toLowerCase()).build();
  }
}
