package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.chaos.harness.LinkProxy;
import dev.redraft.coordinator.testing.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh start --tls} as an operator uses it, real processes only: the CA, node
 * files, one identity and one token per role under DIR/tls are owner-only; scripts/redraft works against
 * that DIR without a TLS flag (as admin); the read identity cannot write, the readwrite token cannot
 * remove a node, the nodes hold token hashes only; what a client sends to a node's API is TLS from the first byte and a written value never
 * crosses the wire in clear (a recording relay in front of the node); a plaintext client is refused
 * with a hint; stop and start keep TLS; no key material reaches a log.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TlsScriptsIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String CLUSTER = REPO.resolve("scripts/cluster.sh").toString();
  private static final String REDRAFT = REPO.resolve("scripts/redraft").toString();
  private static final String TLS_ON = "mutual TLS on the API and Raft ports";

  @TempDir
  Path home;

  @TempDir
  Path elsewhere;

  private final Set<Long> seenPids = new HashSet<>();

  @AfterEach
  void stopEverything() throws Exception {
    run(CLUSTER, "stop");
    for (long pid : seenPids) {
      ProcessHandle.of(pid)
          .filter(p -> p.info().command().map(c -> c.contains("redis") || c.contains("java")).orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void startTlsGivesAWorkingClusterWhoseApiTrafficIsEncrypted() throws Exception {
    Result started = ok(run(CLUSTER, "start", "--tls", "--nodes", "3"), "cluster.sh start --tls");
    assertThat(started.output()).contains("with mutual TLS").contains(home.resolve("tls/ca.pem").toString());

    Path tls = home.resolve("tls");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls))).isEqualTo("rwx------");
    for (String file : List.of("ca.pem", "ca-key.pem", "n1.pem", "n1-key.pem", "n2.pem", "n3-key.pem", "admin.pem",
        "admin-key.pem", "readwrite.pem", "readwrite-key.pem", "read.pem", "read-key.pem", "admin.token",
        "readwrite.token", "read.token", "tokens")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(file))))
          .as("mode of DIR/tls/%s", file).isEqualTo("rw-------");
    }
    assertThat(Files.readString(home.resolve("n1/coordinator.log"))).contains(TLS_ON);

    // scripts/redraft against this DIR: the CA and the admin identity are found without a flag.
    ok(run(REDRAFT, "set", "tls:kept", "before-restart"), "redraft set");
    assertThat(ok(run(REDRAFT, "get", "tls:kept"), "redraft get").output().trim()).isEqualTo("before-restart");
    checkRoles(tls);
    checkRespPort(tls);

    // Through a relay that records every byte, both ways: the value is written and read back, and
    // never appears on the wire; the client's first byte opens a TLS handshake.
    String endpoint = Files.readAllLines(home.resolve("endpoints")).get(0).trim();
    String marker = "api-wire-marker-" + UUID.randomUUID();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (LinkProxy relay = new LinkProxy("client->n1", new InetSocketAddress(loopback, 0),
        new InetSocketAddress(loopback, Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1))), true)) {
      String viaRelay = "127.0.0.1:" + relay.port();
      ok(run(REDRAFT, "--endpoints", viaRelay, "set", "tls:wire", marker), "redraft set through the relay");
      assertThat(ok(run(REDRAFT, "--endpoints", viaRelay, "get", "tls:wire"), "redraft get through the relay")
          .output().trim()).isEqualTo(marker);
      List<byte[]> streams = relay.recorded().stream().filter(s -> s.length > 0).toList();
      assertThat(streams).as("the relay carried the calls").isNotEmpty();
      for (byte[] stream : streams) {
        assertThat(new String(stream, StandardCharsets.ISO_8859_1)).doesNotContain(marker);
        assertThat(stream[0]).as("a TLS record (handshake) first").isEqualTo((byte) 0x16);
      }
    }

    // A plaintext client (no CA found: another home) is refused, and told why it may be.
    Result plaintext = run(Map.of("REDRAFT_HOME", elsewhere.toString()), REDRAFT, "--endpoints", endpoint,
        "--timeout", "3s", "get", "tls:kept");
    assertThat(plaintext.exitCode()).as(plaintext.output()).isEqualTo(3);
    assertThat(plaintext.output()).contains("if the cluster uses TLS").doesNotContain("before-restart");

    // Remembered: a plain 'start' after 'stop' brings the cluster back with TLS. Made older here: certificates
    // without roles and one client.pem, as cluster.sh made them before roles; start re-issues them from its CA.
    ok(run(CLUSTER, "stop"), "cluster.sh stop");
    TestCa clusterCa = TestCa.existing(tls);
    for (String node : List.of("n1", "n2", "n3")) {
      clusterCa.issue(node, null, "serverAuth,clientAuth", "IP:127.0.0.1,DNS:localhost");
    }
    Files.move(tls.resolve("admin.pem"), tls.resolve("client.pem"));
    Files.move(tls.resolve("admin-key.pem"), tls.resolve("client-key.pem"));
    Result restarted = ok(run(CLUSTER, "start"), "cluster.sh start (again)");
    assertThat(restarted.output()).contains("mutual TLS").contains("Re-issuing the certificates in");
    assertThat(tls.resolve("admin.pem")).exists();
    assertThat(tls.resolve("client.pem")).doesNotExist();
    String log = Files.readString(home.resolve("n1/coordinator.log"));
    assertThat(log.split(TLS_ON, -1)).as("n1 started with TLS twice").hasSize(3);
    assertThat(ok(run(REDRAFT, "get", "tls:kept"), "redraft get after restart").output().trim())
        .isEqualTo("before-restart");

    try (Stream<Path> logs = Files.list(home).filter(Files::isDirectory)) {
      for (Path node : logs.toList()) {
        Path coordinatorLog = node.resolve("coordinator.log");
        if (Files.exists(coordinatorLog)) {
          assertThat(Files.readString(coordinatorLog)).doesNotContain("PRIVATE KEY");
        }
      }
    }
  }

  /** Each role's identity and token from DIR/tls do what the role allows, and nothing else. */
  private void checkRoles(Path tls) throws Exception {
    Map<String, String> read = Map.of("REDRAFT_CERT", tls.resolve("read.pem").toString(),
        "REDRAFT_KEY", tls.resolve("read-key.pem").toString(), "REDRAFT_CACERT", tls.resolve("ca.pem").toString());
    assertThat(ok(run(read, REDRAFT, "get", "tls:kept"), "get as read").output().trim()).isEqualTo("before-restart");
    Result readWrites = run(read, REDRAFT, "set", "tls:kept", "by-read");
    assertThat(readWrites.exitCode()).as(readWrites.output()).isEqualTo(1);
    assertThat(readWrites.output()).contains("PERMISSION_DENIED").contains("(role read) may not call redraft.v1.KV/Write")
        .doesNotContain("Exception");

    String readwriteToken = Files.readString(tls.resolve("readwrite.token")).trim();
    Map<String, String> readwrite = Map.of("REDRAFT_TOKEN", readwriteToken);
    ok(run(readwrite, REDRAFT, "set", "tls:token", "by-token"), "set with the readwrite token");
    Result removal = run(readwrite, REDRAFT, "member", "remove", "n3");
    assertThat(removal.exitCode()).as(removal.output()).isEqualTo(1);
    assertThat(removal.output()).contains("(role readwrite) may not call redraft.v1.Admin/RemoveNode");
    assertThat(ok(run(REDRAFT, "member", "list"), "member list as admin").output()).contains("n3");
    assertThat(ok(run(REDRAFT, "get", "tls:kept"), "get").output().trim()).as("nothing changed")
        .isEqualTo("before-restart");

    // Tokens granted through the log (admin identity, found in DIR/tls): printed once, honoured, revocable.
    String granted = ok(run(REDRAFT, "token", "add", "ci-reader", "--role", "read"), "redraft token add").output()
        .lines().filter(line -> line.matches("[0-9a-f]{64}")).findFirst().orElseThrow();
    assertThat(ok(run(REDRAFT, "token", "list"), "redraft token list").output()).contains("ci-reader").contains("api")
        .doesNotContain(granted);
    assertThat(ok(run(Map.of("REDRAFT_TOKEN", granted), REDRAFT, "get", "tls:kept"), "get with the granted token")
        .output().trim()).isEqualTo("before-restart");
    ok(run(REDRAFT, "token", "remove", "ci-reader"), "redraft token remove");
    await().atMost(Duration.ofSeconds(20)).until(() ->
        run(Map.of("REDRAFT_TOKEN", granted), REDRAFT, "get", "tls:kept").output().contains("UNAUTHENTICATED"));

    // The nodes hold only hashes; no token reaches a node's command line.
    String tokens = Files.readString(tls.resolve("tokens"));
    for (String role : List.of("admin", "readwrite", "read")) {
      String token = Files.readString(tls.resolve(role + ".token")).trim();
      assertThat(token).hasSize(64);
      assertThat(tokens).doesNotContain(token).contains(role + " " + role + " ");
    }
    List<String> secrets = new java.util.ArrayList<>();
    for (String role : List.of("admin", "readwrite", "read")) {
      secrets.add(Files.readString(tls.resolve(role + ".token")).trim());
    }
    secrets.add(Files.readString(home.resolve("resp.password")).trim());
    for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
      process.info().commandLine().ifPresent(line -> secrets.stream().filter(secret -> !secret.isEmpty())
          .forEach(secret -> assertThat(line).doesNotContain(secret)));
    }
  }

  /** The RESP port speaks TLS too; a client certificate or a token gives its role, as AUTH and ACLs in Redis. */
  private void checkRespPort(Path tls) throws Exception {
    String resp = Files.readAllLines(home.resolve("resp-endpoints")).get(0).trim();
    String port = resp.substring(resp.lastIndexOf(':') + 1);
    List<String> redisCli = List.of("redis-cli", "-p", port, "--tls", "--cacert", tls.resolve("ca.pem").toString());
    List<String> asRead = concat(redisCli, "--cert", tls.resolve("read.pem").toString(), "--key",
        tls.resolve("read-key.pem").toString());
    assertThat(ok(run(concat(asRead, "get", "tls:kept").toArray(String[]::new)), "redis-cli get as read")
        .output().trim()).isEqualTo("before-restart");
    assertThat(ok(run(concat(asRead, "set", "tls:kept", "by-read").toArray(String[]::new)), "redis-cli set as read")
        .output()).contains("NOPERM this user has no permissions to run the 'set' command (role read)");
    // One connection (redis-cli reads the commands from stdin): a transaction is an entry of the log, so
    // a read connection may not run one, even of reads; RESET keeps the certificate's role.
    Result transaction = runWithInput("MULTI\nGET tls:kept\nGET tls:resp\nEXEC\nRESET\nGET tls:kept\nMULTI\n"
        + "SET tls:kept by-read\nEXEC\nCLIENT LIST\n", asRead.toArray(String[]::new));
    assertThat(transaction.output()).contains("NOPERM this user has no permissions to run the 'exec' command")
        .contains("RESET\nbefore-restart").contains("NOPERM this user has no permissions to run the 'set' command")
        .contains("EXECABORT").contains("NOPERM this user has no permissions to run the 'client|list' command")
        .doesNotContain("by-read");
    Map<String, String> token = Map.of("REDISCLI_AUTH", Files.readString(tls.resolve("readwrite.token")).trim());
    assertThat(ok(run(token, concat(redisCli, "--user", "readwrite", "set", "tls:resp", "via-resp")
        .toArray(String[]::new)), "redis-cli set with the readwrite token").output().trim()).isEqualTo("OK");
    Result anonymous = run(concat(redisCli, "get", "tls:kept").toArray(String[]::new));
    assertThat(anonymous.output()).contains("NOAUTH").doesNotContain("before-restart");
    Result plaintext = run("redis-cli", "-p", port, "ping");
    assertThat(plaintext.output()).doesNotContain("PONG");
    assertThat(ok(run(CLUSTER, "redis-cli", "get", "tls:resp"), "cluster.sh redis-cli").output().trim())
        .isEqualTo("via-resp");
  }

  private static List<String> concat(List<String> first, String... more) {
    List<String> all = new java.util.ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }

  @Test
  void aNodeWithAKeyThatIsNotItsCertificatesStopsAtStartWithOneLine() throws Exception {
    TestCa ca = TestCa.create(elsewhere.resolve("ca"), "start-check-ca");
    TestCa.Identity n1 = ca.issueNode("n1");
    TestCa.Identity n2 = ca.issueNode("n2");
    Path jar = REPO.resolve("coordinator/target/redraft-coordinator.jar");
    Result result = run(Map.of(), "java", "-jar", jar.toString(), "--node-id=n1", "--raft-address=127.0.0.1:1",
        "--api-address=127.0.0.1:2", "--peers=n1=127.0.0.1:1", "--data-dir=" + elsewhere.resolve("data"),
        "--tls-cert=" + n1.cert(), "--tls-key=" + n2.key(), "--tls-ca=" + ca.cert());
    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("redraft-coordinator: configuration error: tls-key: the private key in "
        + n2.key() + " does not belong to the certificate in " + n1.cert() + " (tls-cert)")
        .doesNotContain("Exception").doesNotContain("PRIVATE KEY");
  }

  private Result ok(Result result, String what) {
    assertThat(result.exitCode()).as("%s:%n%s", what, result.output()).isZero();
    return result;
  }

  private void rememberPids() throws IOException {
    try (Stream<Path> files = Files.walk(home, 2)) {
      for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        try {
          seenPids.add(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (IOException | NumberFormatException ignored) {
          // gone or being written
        }
      }
    }
  }

  private Result run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }

  private Result runWithInput(String stdin, String... command) throws IOException, InterruptedException {
    Path input = Files.writeString(Files.createTempFile(elsewhere, "in", ".txt"), stdin);
    return run(Map.of(), input, command);
  }

  private Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    return run(env, null, command);
  }

  private Result run(Map<String, String> env, Path stdin, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_ENDPOINTS");
    builder.environment().remove("REDRAFT_CACERT");
    builder.environment().remove("REDRAFT_CERT");
    builder.environment().remove("REDRAFT_KEY");
    builder.environment().remove("REDRAFT_TOKEN");
    builder.environment().remove("REDISCLI_AUTH");
    builder.environment().putAll(env);
    Path log = Files.createTempFile(elsewhere, "out", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 3 minutes:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      rememberPids();
    }
  }

  private record Result(int exitCode, String output) {}
}
