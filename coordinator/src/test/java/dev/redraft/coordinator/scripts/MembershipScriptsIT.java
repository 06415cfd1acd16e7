package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.coordinator.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grows and shrinks a real local cluster with the scripts, as an operator would: cluster.sh start,
 * add-node (a fourth Redis + coordinator joined through 'redraft member add'), writes and reads
 * through the new node, 'redraft member list -o json', remove-node, stop. The scripts run from
 * another directory than the repository, with the cluster's files in a temporary directory.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MembershipScriptsIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String CLUSTER = REPO.resolve("scripts/cluster.sh").toString();
  private static final String REDRAFT = REPO.resolve("scripts/redraft").toString();

  @TempDir
  Path home;

  @TempDir
  Path elsewhere;

  @Test
  void addNodeAndRemoveNodeChangeTheMembership() throws Exception {
    try {
      Result started = run(CLUSTER, "start", "--nodes", "3");
      assertThat(started.exitCode()).as("cluster.sh start:%n%s", started.output()).isZero();
      assertThat(endpoints()).hasSize(3);

      Result added = run(CLUSTER, "add-node");
      assertThat(added.exitCode()).as("cluster.sh add-node:%n%s", added.output()).isZero();
      assertThat(added.output()).contains("Added n4");
      List<String> endpoints = endpoints();
      assertThat(endpoints).hasSize(4);
      String newNode = endpoints.get(3);
      assertThat(added.output()).contains(newNode);
      long n4Coordinator = pid("n4/coordinator.pid");
      long n4Redis = pid("n4/redis.pid");

      Result write = run(REDRAFT, "set", "grown", "yes");
      assertThat(write.exitCode()).as("redraft set:%n%s", write.output()).isZero();
      // The new node serves once it has applied what it caught up on: a write and a read through it.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        Result read = run(REDRAFT, "--endpoints", newNode, "--timeout", "5s", "get", "grown");
        assertThat(read.output().trim()).as("redraft get through n4").isEqualTo("yes");
      });
      Result incr = run(REDRAFT, "--endpoints", newNode, "incr", "through-n4");
      assertThat(incr.exitCode()).as("redraft incr through n4:%n%s", incr.output()).isZero();

      JsonArray fourMembers = memberList();
      assertThat(fourMembers).hasSize(4);
      assertThat(ids(fourMembers)).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
      for (JsonElement member : fourMembers) {
        assertThat(member.getAsJsonObject().get("voter").getAsBoolean())
            .as("voter: %s", member).isTrue();
      }

      Result removed = run(CLUSTER, "remove-node", "n4");
      assertThat(removed.exitCode()).as("cluster.sh remove-node n4:%n%s", removed.output()).isZero();
      assertThat(endpoints()).hasSize(3).doesNotContain(newNode);
      assertThat(Processes.running(n4Coordinator)).as("n4's coordinator runs").isFalse();
      assertThat(Processes.running(n4Redis)).as("n4's Redis runs").isFalse();

      JsonArray threeMembers = memberList();
      assertThat(ids(threeMembers)).containsExactlyInAnyOrder("n1", "n2", "n3");
      Result afterRemoval = run(REDRAFT, "get", "grown");
      assertThat(afterRemoval.output().trim()).isEqualTo("yes");
    } finally {
      run(CLUSTER, "stop");
    }
    try (var files = Files.walk(home)) {
      assertThat(files.filter(p -> p.toString().endsWith(".pid"))).isEmpty();
    }
  }

  private JsonArray memberList() throws Exception {
    Result list = run(REDRAFT, "member", "list", "-o", "json");
    assertThat(list.exitCode()).as("redraft member list:%n%s", list.output()).isZero();
    return JsonParser.parseString(list.output()).getAsJsonArray();
  }

  private static List<String> ids(JsonArray members) {
    List<String> ids = new ArrayList<>();
    for (JsonElement member : members) {
      JsonObject object = member.getAsJsonObject();
      ids.add(object.get("node_id").getAsString());
    }
    return ids;
  }

  private List<String> endpoints() throws IOException {
    return Files.readAllLines(home.resolve("endpoints")).stream().filter(line -> !line.isBlank()).toList();
  }

  private long pid(String file) throws IOException {
    return Long.parseLong(Files.readString(home.resolve(file)).trim());
  }

  private Result run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_ENDPOINTS");
    Path log = Files.createTempFile(elsewhere, "out", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 3 minutes:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String output) {}
}
