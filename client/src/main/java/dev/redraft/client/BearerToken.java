package dev.redraft.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Sends a bearer token with every call ({@code authorization: Bearer TOKEN}), and only over TLS: on
 * any other channel the call fails before the token leaves the process.
 */
final class BearerToken extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  BearerToken(String token) {
    this.header = "Bearer " + checked(token);
  }

  /** The token without surrounding white space; IllegalArgumentException if it cannot be one. */
  static String checked(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the token is empty");
    }
    String stripped = token.strip();
    if (!stripped.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("the token must be printable ASCII without spaces");
    }
    return stripped;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("refusing to send the token over a connection"
          + " without TLS"));
      return;
    }
    Metadata metadata = new Metadata();
    metadata.put(AUTHORIZATION, header);
    applier.apply(metadata);
  }

  /** Never the token itself. */
  @Override
  public String toString() {
    return "BearerToken[(hidden)]";
  }
}
