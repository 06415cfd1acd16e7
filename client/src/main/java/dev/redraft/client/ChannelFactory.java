package dev.redraft.client;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * Opens the gRPC channel to one endpoint. The client owns every channel it opens this way and shuts
 * it down on close. Replace it to add TLS, interceptors or, in tests, in-process channels.
 */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(String endpoint);

  /** Plaintext HTTP/2 to {@code host:port}. */
  static ChannelFactory plaintext() {
    return endpoint -> {
      checkHostPort(endpoint);
      // Retries are this client's job (same session and sequence, endpoint rotation): keep gRPC's off.
      return ManagedChannelBuilder.forTarget(endpoint).usePlaintext().disableRetry().build();
    };
  }

  /**
   * HTTP/2 over TLS to {@code host:port}: the node's certificate must be signed by the trusted CA and
   * name the host (DNS name or IP address); the client certificate, if any, is presented. The files
   * are read once, here: a missing or unreadable one is an IllegalArgumentException naming it.
   */
  static ChannelFactory tls(TlsSettings settings) {
    return tls(settings, null);
  }

  /**
   * As {@link #tls(TlsSettings)}, and every call carries this bearer token (a node with a
   * {@code tokens-file} takes it instead of a client certificate); null: no token.
   */
  static ChannelFactory tls(TlsSettings settings, String token) {
    ChannelCredentials credentials = token == null ? settings.credentials()
        : CompositeChannelCredentials.create(settings.credentials(), new BearerToken(token));
    return endpoint -> {
      checkHostPort(endpoint);
      return Grpc.newChannelBuilder(endpoint, credentials).disableRetry().build();
    };
  }

  private static void checkHostPort(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1
        || !endpoint.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "endpoint '" + endpoint + "' is not host:port (for example 127.0.0.1:7001)");
    }
  }
}
