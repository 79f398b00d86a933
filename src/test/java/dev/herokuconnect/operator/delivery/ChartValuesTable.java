package dev.herokuconnect.operator.delivery;

import dev.herokuconnect.operator.delivery.ChartValues.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the chart README's values table (key, type, default, description) between two markers,
 * from {@link ChartValues}: {@code make chart-docs}. {@link ChartValuesTableTest} fails when the
 * committed table differs from what this would write.
 */
public final class ChartValuesTable {
  static final String README_FILE = "README.md";
  static final String FIX = "run `make chart-docs`";
  static final String BEGIN =
      "<!-- values table: written by `make chart-docs` from values.schema.json (descriptions) and values.yaml (defaults); edit those, not this table -->";
  static final String END = "<!-- end of values table -->";
  private static final String HEADER = "| Key | Type | Default | Description |\n|---|---|---|---|\n";

  private ChartValuesTable() {}

  /** {@code make chart-docs}: rewrites the table; exits 1 naming each problem of the schema or values.yaml. */
  public static void main(String[] args) throws IOException {
    Path chart = args.length > 0 ? Path.of(args[0]) : Helm.CHART;
    ChartValues values = ChartValues.read(chart);
    Path readme = chart.resolve(README_FILE);
    Files.writeString(readme, splice(Files.readString(readme, StandardCharsets.UTF_8), render(values.values())));
    System.out.println(readme + ": values table written (" + values.values().size() + " keys)");
    if (!values.problems().isEmpty()) {
      values.problems().forEach(p -> System.err.println("make chart-docs: " + p));
      System.exit(1);
    }
  }

  static String render(List<Value> values) {
    StringBuilder table = new StringBuilder(HEADER);
    values.forEach(v -> table.append(row(v)).append('\n'));
    return table.toString();
  }

  static String row(Value v) {
    return "| " + cell("`" + v.key() + "`") + " | " + cell(v.type()) + " | " + cell(v.defaultValue()) + " | "
        + cell(v.description()) + " |";
  }

  /** A pipe would end the cell, even inside backticks (GitHub's tables); a newline would end the row. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace('\n', ' ');
  }

  /** The README with {@code table} between the markers. */
  static String splice(String readme, String table) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("the chart README has no values table markers; put these two lines where the table goes:\n"
          + BEGIN + "\n" + END);
    }
    return readme.substring(0, begin + BEGIN.length()) + "\n" + table + readme.substring(end);
  }

  /** The table between the markers, or null without them. */
  static String current(String readme) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    return begin < 0 || end < begin ? null : readme.substring(begin + BEGIN.length() + 1, end);
  }

  /** How the README's table differs from {@code expected}, key by key; empty when it is what make chart-docs writes. */
  static List<String> differences(String readme, List<Value> expected) {
    String table = current(readme);
    if (table == null) return List.of("the chart README has no values table markers (" + BEGIN + " ... " + END + ")");
    Map<String, String> written = rowsByKey(table);
    List<String> out = new ArrayList<>();
    for (Value v : expected) {
      String row = written.remove(v.key());
      if (row == null) out.add("`" + v.key() + "` is missing");
      else if (!row.equals(row(v))) out.add("`" + v.key() + "` is stale");
    }
    written.keySet().forEach(k -> out.add("`" + k + "` is no longer a value"));
    if (out.isEmpty() && !table.equals(render(expected))) out.add("the table's header or order differs");
    return out;
  }

  private static Map<String, String> rowsByKey(String table) {
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : table.split("\n")) {
      if (!line.startsWith("| `")) continue;
      int close = line.indexOf('`', 3);
      if (close > 3) rows.put(line.substring(3, close), line);
    }
    return rows;
  }
}
