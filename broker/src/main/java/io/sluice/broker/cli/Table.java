package io.sluice.broker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text columns aligned with spaces, as a person reads them in a terminal (no borders, two spaces
 * between columns, the last column not padded).
 *
 * <p>Not thread-safe: build and print on one thread.
 */
final class Table {

  private final List<List<String>> rows = new ArrayList<>();

  /** A table whose first row is {@code header}; with no header, rows only (for name/value listings). */
  Table(String... header) {
    if (header.length > 0) {
      rows.add(List.of(header));
    }
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>(cells.length);
    for (Object c : cells) {
      row.add(String.valueOf(c));
    }
    rows.add(row);
    return this;
  }

  /** Rows so far, the header included. */
  int rows() {
    return rows.size();
  }

  void print(PrintStream out) {
    out.print(render());
  }

  /** The rows as lines, each ending with a newline. */
  String render() {
    List<Integer> widths = new ArrayList<>();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        int w = row.get(i).length();
        if (i == widths.size()) {
          widths.add(w);
        } else if (w > widths.get(i)) {
          widths.set(i, w);
        }
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        text.append(row.get(i));
        if (i < row.size() - 1) {
          text.append(" ".repeat(widths.get(i) - row.get(i).length() + 2));
        }
      }
      text.append('\n');
    }
    return text.toString();
  }
}
