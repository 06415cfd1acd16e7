package dev.redraft.client.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** An aligned text table: a header row, then rows, columns two spaces apart, no trailing spaces. */
final class Table {
  private final List<List<String>> rows = new ArrayList<>();

  Table(List<String> header) {
    rows.add(header);
  }

  Table row(List<String> cells) {
    if (cells.size() != rows.get(0).size()) {
      throw new IllegalArgumentException("a row has " + cells.size() + " cells, the header " + rows.get(0).size());
    }
    rows.add(cells);
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] + 2 - cell.length()));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }

  static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }
}
