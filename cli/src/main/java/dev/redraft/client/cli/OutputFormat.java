package dev.redraft.client.cli;

/**
 * How results are printed: text and table are the human forms (the same), json is for programs, raw
 * writes values' bytes as they are (for files and pipes; otherwise as text).
 */
enum OutputFormat {
  TEXT, TABLE, JSON, RAW
}
