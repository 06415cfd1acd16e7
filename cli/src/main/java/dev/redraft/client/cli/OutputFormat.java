package dev.redraft.client.cli;

/** How results are printed: text and table are the human forms (the same), json is for programs. */
enum OutputFormat {
  TEXT, TABLE, JSON
}
