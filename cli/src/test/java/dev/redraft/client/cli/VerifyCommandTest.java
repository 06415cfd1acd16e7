package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft verify}: one Verify call, each node's digest and verdict, exit code by the verdict. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class VerifyCommandTest {
  @TempDir
  Path workingDir;
  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() throws Exception {
    node = new ScriptedServer();
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws InterruptedException {
    node.close();
  }

  @Test
  void printsEveryNodesDigestAndVerdictAndFailsUnlessConsistent() {
    CliRunner.Result result = cli.run("verify");

    assertThat(node.adminCalls).containsExactly("Verify");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.out().split("\n")).containsExactly(
        "NODE  ROUND  DIGEST  VERDICT",
        "n1    77     aa11    MATCH",
        "n2    77     bb22    DIVERGED",
        "round 77: DIVERGED");
  }

  @Test
  void printsJson() {
    CliRunner.Result result = cli.run("verify", "-o", "json");

    JsonObject json = JsonParser.parseString(result.out()).getAsJsonObject();
    assertThat(json.get("round").getAsLong()).isEqualTo(77);
    assertThat(json.get("verdict").getAsString()).isEqualTo("DIVERGED");
    assertThat(json.getAsJsonArray("nodes")).hasSize(2);
    assertThat(json.getAsJsonArray("nodes").get(1).getAsJsonObject().get("digest").getAsString()).isEqualTo("bb22");
  }
}
