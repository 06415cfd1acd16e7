package dev.redraft.coordinator.node;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data directory (Raft log, snapshots, repair files) is readable by its owner only,
 * whatever the process' umask: created 0700, or narrowed to 0700 if it exists with group or other
 * access. Files below it may carry the umask's mode, but nobody else can reach them through it.
 */
public final class DataDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private DataDirectory() {}

  /** Creates {@code dir} (and missing parents) owner-only, or narrows an existing one; returns it. */
  public static Path secure(String nodeId, Path dir) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir);
      return dir; // no POSIX modes here (e.g. Windows): the platform's ACLs apply
    }
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, OWNER_ONLY); // set, not created with: the umask would narrow it further only
      return dir;
    }
    Set<PosixFilePermission> current = Files.getPosixFilePermissions(dir);
    if (!OWNER_ONLY.containsAll(current)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
      LOG.warn("node {}: data directory {} was {}; narrowed to rwx------ so only its owner can read the data",
          nodeId, dir, PosixFilePermissions.toString(current));
    }
    return dir;
  }
}
