package dev.redraft.coordinator.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorizes every call of the public gRPC server (TLS on): the caller is the
 * bearer token's owner if the call carries one ({@code authorization: Bearer TOKEN}), else the client
 * certificate's subject, with the role the token file or the certificate's OU gives; the call goes on
 * only if that role covers what {@link MethodRoles} asks. Anything else ends the call before it reaches
 * a service (so nothing changes): UNAUTHENTICATED without a valid credential, PERMISSION_DENIED
 * without the role, both with a message that says what to do.
 */
public final class CallAuthorizer implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(CallAuthorizer.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";
  /** Where a certificate's caller is kept for the TLS session's later calls (parsing it once per connection). */
  private static final String SESSION_CALLER = "redraft.caller";
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final int MAX_LOGGED_KEYS = 1_000;

  private final Tokens tokens;
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

  public CallAuthorizer(Tokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<Role> needed = MethodRoles.required(method);
    if (needed.isEmpty()) {
      return next.startCall(call, headers);
    }
    Status refusal;
    try {
      Caller caller = identify(call, headers);
      if (caller.role().covers(needed.get())) {
        return next.startCall(call, headers);
      }
      refusal = Status.PERMISSION_DENIED.withDescription("caller " + caller + " may not call " + method + ": "
          + (needed.get() == Role.NODE ? "it is for the cluster's own nodes only"
              : "it needs role " + needed.get().label() + " or higher"));
      logRefusal(caller.name(), method, refusal);
    } catch (Refused e) {
      refusal = e.status;
      logRefusal(e.status.getCode().name(), method, refusal);
    }
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private Caller identify(ServerCall<?, ?> call, Metadata headers) throws Refused {
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        throw new Refused(Status.UNAUTHENTICATED.withDescription(
            "the authorization header must be 'Bearer TOKEN'"));
      }
      return tokens.find(authorization.substring(BEARER.length()).strip()).orElseThrow(() -> new Refused(
          Status.UNAUTHENTICATED.withDescription("the token is not valid on this node: check --token or"
              + " REDRAFT_TOKEN, and the node's tokens-file")));
    }
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      throw new Refused(Status.UNAUTHENTICATED.withDescription(missingCredential()));
    }
    if (session.getValue(SESSION_CALLER) instanceof Caller cached) {
      return cached;
    }
    Caller caller = fromCertificate(session);
    session.putValue(SESSION_CALLER, caller);
    return caller;
  }

  private static Caller fromCertificate(SSLSession session) throws Refused {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new Refused(Status.UNAUTHENTICATED.withDescription(missingCredential()));
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
      throw new Refused(Status.UNAUTHENTICATED.withDescription(missingCredential()));
    }
    String subject = certificate.getSubjectX500Principal().getName();
    Role role = Role.of(certificate).orElseThrow(() -> new Refused(Status.PERMISSION_DENIED.withDescription(
        "the client certificate '" + subject + "' names no role: its subject needs one OU of " + Role.labels()
            + " (e.g. /OU=readwrite/CN=app)")));
    return new Caller(subject, role);
  }

  private static String missingCredential() {
    return "no credential: this cluster takes a client certificate signed by its CA (--cert/--key,"
        + " REDRAFT_CERT/REDRAFT_KEY) or a token (--token, REDRAFT_TOKEN); none was presented (a client does not"
        + " send a certificate whose issuer the node does not trust)";
  }

  /** One WARN per caller and method a minute: a misconfigured client retrying cannot flood the log. */
  private void logRefusal(String who, String method, Status refusal) {
    String key = who + " " + method;
    long now = System.nanoTime();
    Long last = lastLogged.get(key);
    if (last != null && now - last < LOG_EVERY_NANOS) {
      return;
    }
    if (lastLogged.size() >= MAX_LOGGED_KEYS) {
      lastLogged.clear();
    }
    lastLogged.put(key, now);
    LOG.warn("refused a call to {}: {} {} (logged once a minute per caller and method)", method,
        refusal.getCode(), refusal.getDescription());
  }

  /** A call that cannot go on, with the status it ends with. */
  private static final class Refused extends Exception {
    final transient Status status;

    Refused(Status status) {
      super(status.getDescription(), null, false, false);
      this.status = status;
    }
  }
}
