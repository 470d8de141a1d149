package dev.loupe.core.monitor;

import dev.loupe.core.drift.Drift;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The category counts of a trailing baseline, per column, without merging frequent-items sketches:
 * the sums of the last {@code capacity} windows' counts and bounds.
 *
 * <p>A category's count in the baseline is the sum of its counts in the windows, and each window's
 * frequent-items sketch bounds its count in [lower_i, upper_i] (upper_i is the sketch's maximum
 * error when the sketch does not list it, lower_i then 0). So [sum lower_i, sum upper_i] bounds the
 * baseline's count, with sum est_i as its estimate; the stream length is the sum of the windows'.
 * When every window is exact these are the exact counts, as the merged sketch's are (while it stays
 * exact); otherwise the bounds are at least as tight as a merged sketch's, which adds the merge's
 * own purge error. The chi-square test reads the bounds, so it stays conservative.
 *
 * <p>Sliding step: the arriving window's items are added and the leaving window's subtracted (a
 * category held by no window is dropped). Memory: at most the windows' listed items (up to 768 each
 * at the default sketch size) per column, and the windows' own counts until they leave.
 */
final class CategoryUnion {
  private final int capacity;
  private final ArrayDeque<Map<String, Drift.Counts>> windows = new ArrayDeque<>();
  private final Map<String, Column> columns = new HashMap<>();

  CategoryUnion(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a trailing baseline needs at least 1 window, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds a window's columns (their frequent-item counts; a column without any may be left out). */
  void add(Map<String, Drift.Counts> window) {
    windows.addLast(window);
    Map<String, Drift.Counts> leaving = windows.size() > capacity ? windows.pollFirst() : Map.of();
    TreeSet<String> names = new TreeSet<>(window.keySet());
    names.addAll(leaving.keySet());
    List<String> order = new ArrayList<>(names);
    List<Column> cols = new ArrayList<>(order.size());
    for (String name : order) {
      cols.add(columns.computeIfAbsent(name, k -> new Column()));
    }
    for (int i = 0; i < order.size(); i++) { // a few map updates a column: in turn, no fork-join overhead
      cols.get(i).apply(window.get(order.get(i)), 1);
      cols.get(i).apply(leaving.get(order.get(i)), -1);
    }
    for (int i = 0; i < order.size(); i++) {
      if (cols.get(i).windows == 0) {
        columns.remove(order.get(i));
      }
    }
  }

  /** How many windows the union holds. */
  int size() {
    return windows.size();
  }

  /** The baseline's counts of {@code column}; empty (n = 0) when no window has frequent items in it. */
  Drift.Counts counts(String column) {
    Column c = columns.get(column);
    return c == null ? new Drift.Counts(Map.of(), 0, 0) : c.snapshot();
  }

  /** One column's sums. */
  private static final class Column {
    /** Per category: sums of est, lower, upper, the maximum error of the windows listing it, and how many list it. */
    final HashMap<String, long[]> items = new HashMap<>();
    long n;
    long maxError;
    int windows;

    void apply(Drift.Counts c, int sign) {
      if (c == null) {
        return;
      }
      n += sign * c.n();
      maxError += sign * c.maxError();
      windows += sign;
      for (Map.Entry<String, Drift.Count> e : c.items().entrySet()) {
        long[] s = items.computeIfAbsent(e.getKey(), k -> new long[5]);
        Drift.Count x = e.getValue();
        s[0] += sign * x.est();
        s[1] += sign * x.lower();
        s[2] += sign * x.upper();
        s[3] += sign * c.maxError();
        s[4] += sign;
        if (s[4] == 0) {
          items.remove(e.getKey());
        }
      }
    }

    Drift.Counts snapshot() {
      Map<String, Drift.Count> out = new HashMap<>(items.size() * 2);
      // a window that does not list the category bounds its count there by that window's maximum error
      items.forEach((k, s) -> out.put(k, new Drift.Count(s[0], s[1], s[2] + (maxError - s[3]))));
      return new Drift.Counts(out, n, maxError);
    }
  }
}
