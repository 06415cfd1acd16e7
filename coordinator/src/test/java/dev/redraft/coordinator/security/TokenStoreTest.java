package dev.redraft.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file: hashes only, one role each; every malformed line stops the node naming the line. */
class TokenStoreTest {
  private static final String TOKEN = "0123456789abcdef-a-long-token";

  @TempDir
  Path dir;

  @Test
  void aTokenIsFoundByItsHashWithItsRole() throws Exception {
    TokenStore store = load("# comment\n\napp readwrite " + TokenStore.sha256Hex(TOKEN) + "\n");
    assertThat(store.find(TOKEN)).contains(new Caller("token app", Role.READWRITE));
    assertThat(store.find(TOKEN + "x")).isEmpty();
    assertThat(store.find(TokenStore.sha256Hex(TOKEN))).as("the hash is not the token").isEmpty();
    assertThat(store.find("short")).isEmpty();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void theHashIsSha256InHex() {
    // printf %s abc | sha256sum
    assertThat(TokenStore.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void malformedLinesNameTheLineAndWhatToDo() throws Exception {
    String hash = TokenStore.sha256Hex(TOKEN);
    assertThatThrownBy(() -> load("app readwrite\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("line 1: expected 'NAME ROLE SHA256'");
    assertThatThrownBy(() -> load("# x\napp superuser " + hash + "\n"))
        .hasMessageContaining("line 2: unknown role 'superuser'; roles: read, readwrite, admin, node");
    assertThatThrownBy(() -> load("app node " + hash + "\n"))
        .hasMessageContaining("a token cannot hold the node role");
    assertThatThrownBy(() -> load("app read " + TOKEN + "\n"))
        .hasMessageContaining("must be the token's SHA-256 in hex (64 characters), not the token itself");
    assertThatThrownBy(() -> load("app read " + hash + "\napp admin " + TokenStore.sha256Hex(TOKEN + "2") + "\n"))
        .hasMessageContaining("line 2: the name 'app' is also on line 1");
    assertThatThrownBy(() -> TokenStore.load(dir.resolve("missing")))
        .hasMessageContaining("tokens-file: cannot read " + dir.resolve("missing"));
  }

  private TokenStore load(String content) throws Exception {
    return TokenStore.load(Files.writeString(dir.resolve("tokens"), content));
  }
}
