package dev.redraft.coordinator.config;

import java.nio.file.Path;

/**
 * Where a node's TLS material lives (PEM files, see {@link ConfigKey#TLS_CERT}, {@link ConfigKey#TLS_KEY},
 * {@link ConfigKey#TLS_CA}). Only paths: the files are read and checked when the node starts, so a
 * restart picks up rotated certificates.
 */
public record TlsFiles(Path cert, Path key, Path ca) {}
