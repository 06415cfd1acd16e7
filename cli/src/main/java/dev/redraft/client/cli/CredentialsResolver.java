package dev.redraft.client.cli;

import dev.redraft.client.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the credentials, as etcdctl does: the CA from --cacert or REDRAFT_CACERT, the client
 * certificate and key from --cert/--key or REDRAFT_CERT/REDRAFT_KEY, a bearer token from --token,
 * REDRAFT_TOKEN, --token-file or REDRAFT_TOKEN_FILE (its first line). Without CA, certificate and
 * key, a local cluster started by {@code scripts/cluster.sh start --tls} is used as it is: its
 * {@code $REDRAFT_HOME/tls/ca.pem}, and
 * unless a token is given its admin identity ({@code admin.pem}, {@code admin-key.pem}). No CA found:
 * plaintext (and a token is refused: it would cross the network in clear text).
 */
final class CredentialsResolver {
  static final String CACERT_ENV = "REDRAFT_CACERT";
  static final String CERT_ENV = "REDRAFT_CERT";
  static final String KEY_ENV = "REDRAFT_KEY";
  static final String TOKEN_ENV = "REDRAFT_TOKEN";
  static final String TOKEN_FILE_ENV = "REDRAFT_TOKEN_FILE";
  /** The identity a local TLS cluster's operator acts with by default (cluster.sh makes one per role). */
  static final String LOCAL_IDENTITY = "admin";

  private CredentialsResolver() {}

  static Credentials resolve(String cacertFlag, String certFlag, String keyFlag, String tokenFlag,
      Map<String, String> env, Path workingDir) {
    return resolve(cacertFlag, certFlag, keyFlag, tokenFlag, null, env, workingDir);
  }

  static Credentials resolve(String cacertFlag, String certFlag, String keyFlag, String tokenFlag,
      String tokenFileFlag, Map<String, String> env, Path workingDir) {
    String token = firstGiven(tokenFlag, env.get(TOKEN_ENV), "--token");
    String tokenFile = firstGiven(tokenFileFlag, env.get(TOKEN_FILE_ENV), "--token-file");
    if (token != null && tokenFile != null) {
      throw new CliUsageException("give the token once: --token (or " + TOKEN_ENV + ") or --token-file (or "
          + TOKEN_FILE_ENV + "), not both");
    }
    if (tokenFile != null) {
      token = readToken(workingDir.resolve(tokenFile));
    }
    TlsSettings tls = resolveTls(cacertFlag, certFlag, keyFlag, token != null, env, workingDir);
    if (token != null && tls == null) {
      throw new CliUsageException("--token (or " + TOKEN_ENV + ") needs TLS: give --cacert (or " + CACERT_ENV
          + "), the CA of the cluster's nodes; a token is never sent in clear text");
    }
    return new Credentials(tls, token);
  }

  private static TlsSettings resolveTls(String cacertFlag, String certFlag, String keyFlag, boolean haveToken,
      Map<String, String> env, Path workingDir) {
    String cacert = firstGiven(cacertFlag, env.get(CACERT_ENV), "--cacert");
    String cert = firstGiven(certFlag, env.get(CERT_ENV), "--cert");
    String key = firstGiven(keyFlag, env.get(KEY_ENV), "--key");
    if (cacert == null && cert == null && key == null) {
      return fromLocalCluster(env, workingDir, haveToken);
    }
    if (cacert == null) {
      throw new CliUsageException("--cert/--key need --cacert (or " + CACERT_ENV + "): the CA that signed the nodes'"
          + " certificates");
    }
    if ((cert == null) != (key == null)) {
      throw new CliUsageException(cert == null ? "--key needs --cert (or " + CERT_ENV + ")"
          : "--cert needs --key (or " + KEY_ENV + "): the private key of the client certificate");
    }
    TlsSettings settings = TlsSettings.trustCa(workingDir.resolve(cacert));
    return cert == null ? settings : settings.clientIdentity(workingDir.resolve(cert), workingDir.resolve(key));
  }

  /** The files scripts/cluster.sh start --tls writes under DIR/tls/, if that is the home. */
  private static TlsSettings fromLocalCluster(Map<String, String> env, Path workingDir, boolean haveToken) {
    String home = env.getOrDefault(EndpointResolver.HOME_ENV, "");
    Path tls = workingDir.resolve(home.isBlank() ? EndpointResolver.DEFAULT_HOME : home).resolve("tls");
    Path ca = tls.resolve("ca.pem");
    if (!Files.isRegularFile(ca)) {
      return null;
    }
    TlsSettings settings = TlsSettings.trustCa(ca);
    Path cert = tls.resolve(LOCAL_IDENTITY + ".pem");
    Path key = tls.resolve(LOCAL_IDENTITY + "-key.pem");
    boolean present = Files.isRegularFile(cert) && Files.isRegularFile(key);
    return present && !haveToken ? settings.clientIdentity(cert, key) : settings;
  }

  private static String readToken(Path file) {
    try {
      String first = Files.readAllLines(file).stream().findFirst().orElse("").strip();
      if (first.isEmpty()) {
        throw new CliUsageException("the token file " + file + " is empty: its first line must be the token");
      }
      return first;
    } catch (java.io.IOException e) {
      throw new CliUsageException("cannot read the token file " + file + ": " + e.getMessage());
    }
  }

  private static String firstGiven(String flag, String envValue, String flagName) {
    if (flag != null) {
      if (flag.isBlank()) {
        throw new CliUsageException(flagName + " is empty: give a value, or leave it out");
      }
      return flag;
    }
    return envValue == null || envValue.isBlank() ? null : envValue;
  }
}
