package dev.redraft.client.cli;

import dev.redraft.client.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the TLS settings, as etcdctl does: the CA from --cacert or REDRAFT_CACERT, the client
 * certificate and key from --cert/--key or REDRAFT_CERT/REDRAFT_KEY. With none of them, a local
 * cluster started by {@code scripts/cluster.sh start --tls} is used as it is: its
 * {@code $REDRAFT_HOME/tls/ca.pem} and client identity ({@code client.pem}, {@code client-key.pem}).
 * Nothing found: plaintext (null).
 */
final class TlsResolver {
  static final String CACERT_ENV = "REDRAFT_CACERT";
  static final String CERT_ENV = "REDRAFT_CERT";
  static final String KEY_ENV = "REDRAFT_KEY";

  private TlsResolver() {}

  static TlsSettings resolve(String cacertFlag, String certFlag, String keyFlag, Map<String, String> env,
      Path workingDir) {
    String cacert = firstGiven(cacertFlag, env.get(CACERT_ENV));
    String cert = firstGiven(certFlag, env.get(CERT_ENV));
    String key = firstGiven(keyFlag, env.get(KEY_ENV));
    if (cacert == null && cert == null && key == null) {
      return fromLocalCluster(env, workingDir);
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
  private static TlsSettings fromLocalCluster(Map<String, String> env, Path workingDir) {
    String home = env.getOrDefault(EndpointResolver.HOME_ENV, "");
    Path tls = workingDir.resolve(home.isBlank() ? EndpointResolver.DEFAULT_HOME : home).resolve("tls");
    Path ca = tls.resolve("ca.pem");
    if (!Files.isRegularFile(ca)) {
      return null;
    }
    TlsSettings settings = TlsSettings.trustCa(ca);
    Path cert = tls.resolve("client.pem");
    Path key = tls.resolve("client-key.pem");
    return Files.isRegularFile(cert) && Files.isRegularFile(key) ? settings.clientIdentity(cert, key) : settings;
  }

  private static String firstGiven(String flag, String envValue) {
    if (flag != null) {
      if (flag.isBlank()) {
        throw new CliUsageException("a TLS file flag (--cacert, --cert, --key) is empty: give a file, or leave it out");
      }
      return flag;
    }
    return envValue == null || envValue.isBlank() ? null : envValue;
  }
}
