package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.client.RedraftClient;
import dev.redraft.client.TlsSettings;
import dev.redraft.coordinator.config.TlsFiles;
import dev.redraft.coordinator.testing.TestCa;
import dev.redraft.coordinator.testing.TestCluster;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates are rotated by restarting one node at a time while a client keeps writing: renewed
 * certificates from the same CA, and a move to a new CA in three rounds (trust both, new
 * certificates, drop the old CA). Every acknowledged write is applied once on every node.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsRotationTest {
  @TempDir
  Path dir;

  @Test
  void renewingEveryNodesCertificateOneNodeAtATimeKeepsTheClusterServing() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"), "rotation-ca");
    TestCa.Identity prober = ca.issueNode("prober");
    try (TestCluster cluster = TestCluster.startWithTls(3, dir.resolve("cluster"), ca)) {
      RedraftClient client = cluster.client();
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong acknowledged = new AtomicLong();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<?> writer = pool.submit(() -> {
        while (writing.get()) {
          client.incr("rotation:counter");
          acknowledged.incrementAndGet();
        }
        return null;
      });

      List<BigInteger> newSerials = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        TlsFiles files = cluster.node(i).config().tlsFiles().orElseThrow();
        BigInteger before = presentedSerial(cluster.endpoint(i), ca, prober);
        TestCa.Identity renewed = ca.issueNode(TestCluster.id(i) + "-renewed");
        cluster.stopNode(i);
        Files.copy(renewed.cert(), files.cert(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.key(), files.key(), StandardCopyOption.REPLACE_EXISTING);
        cluster.restartNode(i);
        BigInteger after = presentedSerial(cluster.endpoint(i), ca, prober);
        assertThat(after).as("%s presents its new certificate", TestCluster.id(i)).isNotEqualTo(before)
            .isEqualTo(TlsMaterial.load(new TlsFiles(renewed.cert(), renewed.key(), ca.cert())).certificate()
                .getSerialNumber());
        newSerials.add(after);
        awaitCaughtUp(cluster, i);
      }

      long before = acknowledged.get();
      // Writes go on after the last restart too.
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= before + 5);
      writing.set(false);
      writer.get(1, TimeUnit.MINUTES);
      pool.shutdown();
      assertThat(acknowledged.get()).isGreaterThan(before);
      cluster.awaitSameAppliedIndex();
      for (int i = 0; i < 3; i++) {
        try (var redis = cluster.redis(i).jedis()) {
          assertThat(redis.get("rotation:counter")).as("n%d's counter", i + 1)
              .isEqualTo(Long.toString(acknowledged.get()));
        }
      }
      assertThat(newSerials).doesNotHaveDuplicates();
    }
  }

  /**
   * The README's CA rollover, one node at a time in three rounds while a client keeps writing: every
   * node trusts both CAs; every node gets a certificate from the new CA; the old CA is dropped. Then
   * a client identity from the new CA works and one from the old CA is refused.
   */
  @Test
  void movingToANewCaOneNodeAtATimeKeepsTheClusterServing() throws Exception {
    TestCa oldCa = TestCa.create(dir.resolve("old-ca"), "old-ca");
    TestCa newCa = TestCa.create(dir.resolve("new-ca"), "new-ca");
    TestCa.Identity oldClient = oldCa.issueClient("old-client", "admin");
    TestCa.Identity newClient = newCa.issueClient("new-client", "admin");
    Path bothCas = dir.resolve("both-cas.pem");
    Files.writeString(bothCas, Files.readString(oldCa.cert()) + Files.readString(newCa.cert()));
    try (TestCluster cluster = TestCluster.startWithTls(3, dir.resolve("cluster"), oldCa)) {
      // The cluster's tls-ca file is old-ca/ca.pem on every node; it is read at each node's start.
      Path clusterCa = cluster.node(0).config().tlsFiles().orElseThrow().ca();
      RedraftClient client = RedraftClient.builder().endpoints(cluster.endpoints())
          .requestTimeout(Duration.ofSeconds(20))
          .tls(TlsSettings.trustCa(bothCas).clientIdentity(oldClient.cert(), oldClient.key())).build();
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong acknowledged = new AtomicLong();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<?> writer = pool.submit(() -> {
        while (writing.get()) {
          client.incr("rollover:counter");
          acknowledged.incrementAndGet();
        }
        return null;
      });
      try {
        // Round 1: trust both CAs.
        Files.copy(bothCas, clusterCa, StandardCopyOption.REPLACE_EXISTING);
        for (int i = 0; i < 3; i++) {
          restart(cluster, i);
        }
        // Round 2: certificates from the new CA.
        for (int i = 0; i < 3; i++) {
          TlsFiles files = cluster.node(i).config().tlsFiles().orElseThrow();
          TestCa.Identity renewed = newCa.issueNode(TestCluster.id(i));
          cluster.stopNode(i);
          Files.copy(renewed.cert(), files.cert(), StandardCopyOption.REPLACE_EXISTING);
          Files.copy(renewed.key(), files.key(), StandardCopyOption.REPLACE_EXISTING);
          restart(cluster, i);
        }
        long before = acknowledged.get();
        await("writes go on with every node on the new CA").atMost(Duration.ofSeconds(30))
            .until(() -> acknowledged.get() >= before + 5);
      } finally {
        writing.set(false);
        writer.get(1, TimeUnit.MINUTES);
        pool.shutdown();
        client.close();
      }
      // Round 3: drop the old CA.
      Files.copy(newCa.cert(), clusterCa, StandardCopyOption.REPLACE_EXISTING);
      for (int i = 0; i < 3; i++) {
        restart(cluster, i);
      }
      try (RedraftClient renewed = RedraftClient.builder().endpoints(cluster.endpoints())
          .requestTimeout(Duration.ofSeconds(20))
          .tls(TlsSettings.trustCa(newCa.cert()).clientIdentity(newClient.cert(), newClient.key())).build()) {
        assertThat(renewed.incr("rollover:counter")).isEqualTo(acknowledged.get() + 1);
      }
      try (RedraftClient stale = RedraftClient.builder().endpoints(cluster.endpoint(0))
          .requestTimeout(Duration.ofSeconds(3))
          .tls(TlsSettings.trustCa(bothCas).clientIdentity(oldClient.cert(), oldClient.key())).build()) {
        assertThatThrownBy(() -> stale.get("rollover:counter")).hasMessageStartingWith("TLS handshake with");
      }
      cluster.awaitSameAppliedIndex();
      for (int i = 0; i < 3; i++) {
        try (var redis = cluster.redis(i).jedis()) {
          assertThat(redis.get("rollover:counter")).isEqualTo(Long.toString(acknowledged.get() + 1));
        }
      }
    }
  }

  private static void restart(TestCluster cluster, int index) throws Exception {
    cluster.stopNode(index);
    cluster.restartNode(index);
    awaitCaughtUp(cluster, index);
  }

  /**
   * The restarted node has applied what the others had committed when it came back: the next one may
   * go down without the cluster losing its majority of caught-up nodes. (Writes go on meanwhile, so
   * "every node at the same index" would be a race.)
   */
  private static void awaitCaughtUp(TestCluster cluster, int index) {
    long target = cluster.running().stream().filter(i -> i != index)
        .mapToLong(i -> cluster.status(i).commitIndex()).max().orElse(0);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.status(index).appliedIndex() >= target);
  }

  /** The serial number of the certificate a node presents on its API port, from a real handshake. */
  private static BigInteger presentedSerial(String endpoint, TestCa ca, TestCa.Identity identity) throws Exception {
    TlsMaterial mine = TlsMaterial.load(new TlsFiles(identity.cert(), identity.key(), ca.cert()));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", mine.key(), new char[0], mine.chain().toArray(Certificate[]::new));
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, new char[0]);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", mine.trusted().get(0));
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    int colon = endpoint.lastIndexOf(':');
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
        .createSocket(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)))) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
