package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft completion} prints a bash completion script that bash accepts and that knows the commands. */
@Timeout(60)
class CompletionCommandTest {
  @TempDir
  Path dir;

  @Test
  void printsABashScriptThatCompletesEverySubcommand() throws Exception {
    CliRunner.Result result = new CliRunner(dir).run("completion");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("complete -F")
        .contains("hgetall").contains("zrange").contains("cluster").contains("status")
        .contains("--endpoints").contains("--output");

    Path script = dir.resolve("redraft-completion.bash");
    Files.writeString(script, result.out(), StandardCharsets.UTF_8);
    // Source it in a real bash and ask it to complete "redraft hge": the generated function must answer hgetall/hget.
    String probe = "source " + script + " && COMP_WORDS=(redraft hge) && COMP_CWORD=1 && COMP_LINE='redraft hge' "
        + "&& COMP_POINT=${#COMP_LINE} && _picocli_redraft && printf '%s\\n' \"${COMPREPLY[@]}\"";
    Process bash = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(out).isZero();
    assertThat(out.lines()).contains("hget", "hgetall");
  }
}
