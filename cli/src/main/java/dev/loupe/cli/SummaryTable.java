package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.internal.NumberFormat;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A profile as a plain-text table, one row per column, at most {@link #WIDTH} characters wide:
 * name, inferred type, count, nulls, distinct estimate, mean, stddev, min, median, max and the
 * most frequent values. Numbers are compact; a value a column does not have is "-".
 */
final class SummaryTable {
  static final int WIDTH = 160;
  private static final int MAX_NAME = 24;
  private static final int NUMBER = 9;
  private static final int TOP_ITEMS = 4;
  private static final int TOP_ITEM_CHARS = 18;
  private static final String NONE = "-";

  private static final String[] HEADERS = {
      "column", "type", "count", "nulls", "distinct", "mean", "stddev", "min", "median", "max", "top values"};

  private SummaryTable() {}

  static String render(ProfileView view, String source) {
    Map<String, Map<String, Object>> summary = view.summary();
    long rows = 0;
    List<String[]> lines = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : summary.entrySet()) {
      Map<String, Object> s = e.getValue();
      rows = Math.max(rows, asLong(s.get("counts/n")));
      lines.add(new String[] {
          printable(e.getKey()),
          String.valueOf(s.get("type")),
          number(s.get("counts/n")),
          number(s.get("counts/null")),
          s.containsKey("cardinality/est") ? number(Math.round((Double) s.get("cardinality/est"))) : NONE,
          number(s.get("distribution/mean")),
          number(s.get("distribution/stddev")),
          number(s.get("distribution/min")),
          number(s.get("distribution/median")),
          number(s.get("distribution/max")),
          ""});
    }
    int nameWidth = HEADERS[0].length();
    for (String[] l : lines) {
      nameWidth = Math.max(nameWidth, Math.min(MAX_NAME, width(l[0])));
    }
    int[] widths = {nameWidth, 10, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, 0};
    for (String[] l : lines) {
      for (int c = 5; c < 10; c++) {
        widths[c] = Math.max(widths[c], l[c].length()); // a time column's instants
      }
    }
    int used = 0;
    for (int i = 0; i < widths.length - 1; i++) {
      used += widths[i] + 2;
    }
    widths[widths.length - 1] = Math.max(HEADERS[HEADERS.length - 1].length(), WIDTH - used);
    int i = 0;
    for (Map<String, Object> s : summary.values()) {
      lines.get(i++)[10] = topValues(s, widths[10]);
    }

    StringBuilder out = new StringBuilder();
    out.append(source).append(": ").append(rows).append(rows == 1 ? " row, " : " rows, ")
        .append(summary.size()).append(summary.size() == 1 ? " column" : " columns").append('\n');
    appendRow(out, HEADERS, widths);
    StringBuilder rule = new StringBuilder();
    for (int w = 0; w < widths.length; w++) {
      rule.append("-".repeat(w == widths.length - 1 ? HEADERS[w].length() : widths[w]));
      rule.append(w == widths.length - 1 ? "" : "  ");
    }
    out.append(rule).append('\n');
    for (String[] l : lines) {
      appendRow(out, l, widths);
    }
    return out.toString().stripTrailing();
  }

  private static void appendRow(StringBuilder out, String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      boolean text = c < 2 || c == cells.length - 1;
      line.append(text ? padRight(fit(cells[c], widths[c]), widths[c]) : padLeft(fit(cells[c], widths[c]), widths[c]));
      if (c < cells.length - 1) {
        line.append("  ");
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  /**
   * Frequent items as {@code value (count), ...}, or {@code value (lower..upper)} where the sketch
   * only bounds the count; for boolean columns the true and false counts.
   */
  private static String topValues(Map<String, Object> s, int width) {
    List<String> parts = new ArrayList<>();
    if ("boolean".equals(s.get("type"))) {
      long trues = asLong(s.get("counts/true"));
      parts.add("true (" + number(trues) + ")");
      parts.add("false (" + number(asLong(s.get("types/boolean")) - trues) + ")");
    } else if (s.get("frequent_items/frequent_strings") instanceof List<?> items && !items.isEmpty()) {
      for (Object o : items.subList(0, Math.min(TOP_ITEMS, items.size()))) {
        FrequentItemsMetric.Item it = (FrequentItemsMetric.Item) o;
        // an estimate whose bounds differ is approximate: say so rather than print it as a count
        String count = it.lower() == it.upper() ? number(it.est()) : number(it.lower()) + ".." + number(it.upper());
        parts.add(fit(printable(it.value()), TOP_ITEM_CHARS) + " (" + count + ")");
      }
    }
    if (parts.isEmpty()) {
      return NONE;
    }
    // whole items only, as many as fit; the first one is cut if it must be
    StringBuilder b = new StringBuilder(parts.get(0));
    for (String p : parts.subList(1, parts.size())) {
      if (width(b.toString()) + 2 + width(p) > width) {
        break;
      }
      b.append(", ").append(p);
    }
    return fit(b.toString(), width);
  }

  /** Control characters (a newline in a quoted CSV field) shown escaped, so each column stays on one line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      if (cp == '\n') {
        b.append("\\n");
      } else if (cp == '\t') {
        b.append("\\t");
      } else if (cp == '\r') {
        b.append("\\r");
      } else if (Character.isISOControl(cp)) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return s.isEmpty() ? "\"\"" : b.toString();
  }

  private static long asLong(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  /**
   * Compact numbers ({@link NumberFormat#CELL}: integers in full up to 8 digits, else about five
   * significant digits). An
   * instant of a time column (ISO-8601 UTC text in the summary) is shown as a date when it is a
   * UTC midnight, else to the second.
   */
  static String number(Object o) {
    if (o instanceof String iso) {
      if (iso.endsWith("T00:00:00Z")) {
        return iso.substring(0, iso.length() - "T00:00:00Z".length());
      }
      int dot = iso.indexOf('.');
      return dot > 0 && iso.endsWith("Z") ? iso.substring(0, dot) + "Z" : iso;
    }
    if (o instanceof Long || o instanceof Integer) {
      return NumberFormat.CELL.format(((Number) o).longValue());
    }
    return o instanceof Double d ? NumberFormat.CELL.format(d) : NONE;
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }

  /** {@code s} cut to {@code width} code points, with an ellipsis when cut. */
  static String fit(String s, int width) {
    if (width(s) <= width) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
  }

  private static String padRight(String s, int width) {
    return s + " ".repeat(Math.max(0, width - width(s)));
  }

  private static String padLeft(String s, int width) {
    return " ".repeat(Math.max(0, width - width(s))) + s;
  }
}
