package dev.redraft.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
  @TempDir
  Path tmp;

  @Test
  void aNewDataDirectoryIsOwnerOnly() throws Exception {
    Path dir = DataDirectory.secure("n1", tmp.resolve("a/b/data"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
  }

  @Test
  void anExistingDataDirectoryOpenToOthersIsNarrowedAndKeepsItsFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("raft-meta"), "kept");

    DataDirectory.secure("n1", dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(Files.readString(dir.resolve("raft-meta"))).isEqualTo("kept");
  }
}
