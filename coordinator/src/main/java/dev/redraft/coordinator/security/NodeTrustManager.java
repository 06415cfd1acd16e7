package dev.redraft.coordinator.security;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts only the cluster's nodes: a certificate must chain to the cluster CA (the JDK's own PKIX
 * checks, host name check included) and carry the {@link Role#NODE} role (OU=node). Used wherever a
 * node talks to a node (the Raft port, both ways, and a node's calls to its peers' API), so that an
 * application's certificate from the same CA cannot join the Raft group or pose as a peer.
 */
public final class NodeTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager ca;

  private NodeTrustManager(X509ExtendedTrustManager ca) {
    this.ca = ca;
  }

  public static NodeTrustManager of(List<X509Certificate> trusted) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        store.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return new NodeTrustManager(x509);
        }
      }
      throw new IllegalStateException("the JDK offers no X.509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up the trust manager for the cluster CA: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    ca.checkClientTrusted(chain, authType, socket);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    ca.checkServerTrusted(chain, authType, socket);
    requireNode(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    ca.checkClientTrusted(chain, authType, engine);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    ca.checkServerTrusted(chain, authType, engine);
    requireNode(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    ca.checkClientTrusted(chain, authType);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    ca.checkServerTrusted(chain, authType);
    requireNode(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca.getAcceptedIssuers();
  }

  private static void requireNode(X509Certificate[] chain) throws CertificateException {
    if (chain.length == 0 || Role.of(chain[0]).orElse(null) != Role.NODE) {
      String subject = chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
      throw new CertificateException("the certificate '" + subject + "' is not a Redraft node's: node"
          + " certificates carry OU=node in their subject");
    }
  }
}
