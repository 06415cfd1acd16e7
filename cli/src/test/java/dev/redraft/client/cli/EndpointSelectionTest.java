package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.testing.ScriptedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where the tool finds its endpoints: flag, then REDRAFT_ENDPOINTS, then $REDRAFT_HOME/endpoints. */
@Timeout(60)
class EndpointSelectionTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;

  @BeforeEach
  void start() {
    node = new ScriptedServer();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void withoutAnyEndpointsTheToolSaysWhatToDo() {
    CliRunner.Result result = new CliRunner(workingDir).run("get", "k");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("error: no endpoints: no " + workingDir.resolve(".redraft/endpoints")
        + "; pass --endpoints HOST:PORT, set REDRAFT_ENDPOINTS, set REDRAFT_HOME to the DIR of 'scripts/cluster.sh "
        + "start --dir DIR', or start a local cluster with scripts/cluster.sh start\n");
  }

  @Test
  void theFlagWinsOverTheEnvironment() {
    CliRunner.Result result = new CliRunner(workingDir)
        .env("REDRAFT_ENDPOINTS", "nowhere")
        .run("get", "k", "--endpoints", node.endpoint());

    assertThat(result.exitCode()).isZero();
    assertThat(node.reads).hasSize(1);
  }

  @Test
  void theEnvironmentIsUsedWhenNoFlagIsGiven() {
    CliRunner.Result result = new CliRunner(workingDir)
        .env("REDRAFT_ENDPOINTS", "nowhere-a," + node.endpoint())
        .run("get", "k", "--timeout", "5s");

    assertThat(result.exitCode()).isZero();
    assertThat(node.reads).hasSize(1);
  }

  @Test
  void theLocalClusterFileIsReadFromTheDefaultHome() throws Exception {
    Path home = Files.createDirectories(workingDir.resolve(".redraft"));
    Files.writeString(home.resolve("endpoints"), "# written by scripts/cluster.sh\n\n" + node.endpoint() + "\n");

    CliRunner.Result result = new CliRunner(workingDir).run("get", "k");

    assertThat(result.exitCode()).isZero();
    assertThat(node.reads).hasSize(1);
  }

  @Test
  void redraftHomeMovesTheLocalClusterFile() throws Exception {
    Path home = Files.createDirectories(workingDir.resolve("elsewhere"));
    Files.writeString(home.resolve("endpoints"), node.endpoint() + "\n");

    assertThat(new CliRunner(workingDir).env("REDRAFT_HOME", home.toString()).run("get", "k").exitCode())
        .isZero();
    assertThat(new CliRunner(workingDir).run("get", "k").exitCode()).isEqualTo(2);
    assertThat(node.reads).hasSize(1);
  }
}
