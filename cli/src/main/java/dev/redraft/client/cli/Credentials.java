package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;

/** How this tool proves who it is: TLS settings (null: plaintext) and a bearer token (null: none). */
public record Credentials(TlsSettings tls, String token) {
  public static final Credentials PLAINTEXT = new Credentials(null, null);

  RedraftClient.Builder applyTo(RedraftClient.Builder builder) {
    if (tls != null) {
      builder.tls(tls);
    }
    if (token != null) {
      builder.token(token);
    }
    return builder;
  }

  /** Never the token itself. */
  @Override
  public String toString() {
    return "Credentials[tls=" + tls + ", token=" + (token == null ? "(none)" : "(set)") + "]";
  }
}
