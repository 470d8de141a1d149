package dev.loupe.core.internal;

import java.util.List;

/** Plain-text tables for the drift and validation reports: left-aligned columns; control characters in cells are shown as '?' so a row stays one line. */
public final class TextTable {
  private TextTable() {}

  public static String render(List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        r[i] = clean(r[i]);
        width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < rows.size(); k++) {
      String[] r = rows.get(k);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        line.append(r[i]);
        if (i < cols - 1) {
          line.append(" ".repeat(width[i] - r[i].codePointCount(0, r[i].length()) + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (k == 0) {
        int total = 0;
        for (int w : width) {
          total += w + 2;
        }
        sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
      }
    }
    return sb.toString();
  }

  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return sb.toString();
  }
}
